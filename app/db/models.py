"""Tables: users (instructors and students), submissions, the grade of each answer, jobs, and
the uploaded files the jobs read (blobs, in chunks)."""

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def new_id() -> str:
    """A random public id: unguessable, so ids reveal nothing about other records."""
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is stored in UTC and always read back timezone-aware."""

    # SQLite keeps no timezone, so a naive value read back is UTC by construction.
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store in UTC."""
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Read back as aware UTC."""
        if not isinstance(value, datetime):
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base of every table."""


class Role(StrEnum):
    """What a token may do."""

    INSTRUCTOR = "instructor"
    STUDENT = "student"


class User(Base):
    """An instructor or a student, known by the hash of their bearer token."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("login", name="uq_users_login"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    login: Mapped[str | None] = mapped_column(String(200), default=None)
    """The student's id in the course's own records (SIS login, e-mail), matched by class
    files and written to gradebook exports; optional and unique."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Submission(Base):
    """One graded submission, with the provenance of the grading."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_set_user", "problem_set", "user_id"),
        Index("uq_submissions_batch_key", "user_id", "problem_set", "batch_key", unique=True),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    problem_set: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    total: Mapped[float] = mapped_column(Float)
    max_total: Mapped[float] = mapped_column(Float)
    late: Mapped[bool] = mapped_column(default=False)
    score_factor: Mapped[float] = mapped_column(Float, default=1.0)
    engine_version: Mapped[str] = mapped_column(String(40))
    problem_hash: Mapped[str] = mapped_column(String(64))
    reference_hash: Mapped[str] = mapped_column(String(64))
    batch_key: Mapped[str | None] = mapped_column(String(64), default=None)
    """For a row of an imported class file: a digest of what was submitted, so that importing
    the same file again stores nothing twice (None for submissions made one by one)."""
    regraded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    published: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Graded against the published numbers rather than the student's own variant (an import
    of work done on the published problem); a regrade uses the same numbers."""

    fields: Mapped[list["FieldGrade"]] = relationship(
        back_populates="submission", order_by="FieldGrade.position", cascade="all, delete-orphan"
    )
    user: Mapped[User] = relationship()


class FieldGrade(Base):
    """The stored answer to one field and how it was graded."""

    __tablename__ = "field_grades"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), index=True)
    position: Mapped[int]
    field: Mapped[str] = mapped_column(String(100))
    answer: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(20))
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    feedback: Mapped[str] = mapped_column(Text)
    parsed: Mapped[str | None] = mapped_column(Text, default=None)
    note: Mapped[str | None] = mapped_column(String(100), default=None)
    """The answer note: the name of the known mistake the answer matched, if any."""

    submission: Mapped[Submission] = relationship(back_populates="fields")


class JobStatus(StrEnum):
    """Where a background job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    """A background job (e.g. a checkpoint evaluation): its inputs, state, and outcome."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_created", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(50))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    problem_set: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED.value)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(default=0)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    submission_id: Mapped[str | None] = mapped_column(ForeignKey("submissions.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    runner: Mapped[str | None] = mapped_column(String(200), default=None)
    """The process running the job (host, pid and a start-up nonce), while it runs."""
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When the runner last said it was alive; a running job whose runner went silent is
    taken back by the next start-up."""
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When the job was handed to the worker queue; None while it waits for the queue to
    answer (it is sent again then) or where jobs run in the service itself."""


class IdempotentRequest(Base):
    """The first result of a request sent with an Idempotency-Key, replayed to its retries."""

    __tablename__ = "idempotent_requests"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    route: Mapped[str] = mapped_column(String(200))
    """Which route and problem set the key was first used on."""
    digest: Mapped[str] = mapped_column(String(64))
    """A digest of the request: a retry must send the same thing."""
    status: Mapped[int]
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


CATALOG_VERSION_ID = 1
"""The one row of catalog_versions."""


class CatalogVersion(Base):
    """Which problem files the processes should hold: bumped by every regrade's reload, and
    read by every process before it grades, so that a regrade reaches them all."""

    __tablename__ = "catalog_versions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    counter: Mapped[int]
    fingerprint: Mapped[str] = mapped_column(String(64))
    """The reloaded catalog's fingerprint (a digest of every problem file's hash)."""
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Blob(Base):
    """An uploaded file (a model, a class file) kept in the database, so that whichever
    process runs its job can read it; its bytes are in `blob_chunks`."""

    __tablename__ = "blobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    purpose: Mapped[str] = mapped_column(String(20))
    """What the file is for: "checkpoint" or "class-file"."""
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    job_id: Mapped[str] = mapped_column(String(36), index=True)
    """The job that reads it (written before the job's row, in the same transaction)."""
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
    """Set once its job has ended: the sweep deletes the blob after this time."""


class BlobChunk(Base):
    """One piece of a blob's bytes, in order."""

    __tablename__ = "blob_chunks"

    blob_id: Mapped[str] = mapped_column(
        ForeignKey("blobs.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Override(Base):
    """An instructor's score (and verdict) for one field of one submission, in force over the
    automatic grade until removed; every one is kept, removed or replaced ones too."""

    __tablename__ = "overrides"
    __table_args__ = (Index("ix_overrides_submission_field", "submission_id", "field"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"))
    field: Mapped[str] = mapped_column(String(100))
    score: Mapped[float] = mapped_column(Float)
    verdict: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text)
    """What the student reads beside the score."""
    previous_score: Mapped[float] = mapped_column(Float)
    """What the field scored before: the automatic grade, or the override this one replaced."""
    previous_verdict: Mapped[str] = mapped_column(String(20))
    set_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """None while in force; at most one override of a field is."""
    removed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    removal_reason: Mapped[str | None] = mapped_column(Text, default=None)


class AnswerRule(Base):
    """An instructor's ruling on one answer form of one field: correct, or a named mistake
    with partial credit; it matches answers by their parsed form, never by their text."""

    __tablename__ = "answer_rules"
    __table_args__ = (UniqueConstraint("problem_set", "field", "parsed"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    problem_set: Mapped[str] = mapped_column(String(100), index=True)
    field: Mapped[str] = mapped_column(String(100))
    parsed: Mapped[str] = mapped_column(Text)
    """How the matched answers were read (the grader's `parsed`, as LaTeX)."""
    verdict: Mapped[str] = mapped_column(String(20))
    """"correct" or "partial"."""
    credit: Mapped[float] = mapped_column(Float)
    """The share of the field's points the answer earns, 0 to 1."""
    note: Mapped[str | None] = mapped_column(String(100), default=None)
    """The mistake's name, for a partial rule."""
    feedback: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModelFingerprint(Base):
    """The compact fingerprint of an evaluated upload (norms and projections, see
    app/checkpoints/fingerprint.py), kept to find copies among later uploads of its field."""

    __tablename__ = "model_fingerprints"
    __table_args__ = (
        Index("ix_model_fingerprints_sha256", "problem_set", "field", "sha256"),
        Index("ix_model_fingerprints_layout", "problem_set", "field", "layout"),
    )

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    problem_set: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    """The uploaded file's digest: the same bytes are an exact copy."""
    layout: Mapped[str] = mapped_column(String(64))
    """A digest of the scheme, tensor names and shapes: only models of one layout compare."""
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    """float32 rows, one per tensor: its norm, then its projections."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModelCopy(Base):
    """Two students' uploads of one field found to be the same model (the same bytes, or
    weights within a small distance); shown to instructors, changing no score."""

    __tablename__ = "model_copies"
    __table_args__ = (Index("ix_model_copies_problem_set", "problem_set", "found_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    problem_set: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    """"exact" (the same bytes) or "near" (weights within the distance)."""
    distance: Mapped[float] = mapped_column(Float)
    """The largest relative distance of a tensor (0 for the same bytes)."""
    earlier_job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    earlier_user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    later_job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    later_user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RegradeRequestStatus(StrEnum):
    """Where a regrade request stands."""

    OPEN = "open"
    CLOSED = "closed"


class RegradeRequest(Base):
    """A student's request for a second look at one field of their counted submission, and
    the instructor's answer: an override, or no change with a reply; closed ones are kept."""

    __tablename__ = "regrade_requests"
    __table_args__ = (Index("ix_regrade_requests_listing", "problem_set", "status", "opened_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    problem_set: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=RegradeRequestStatus.OPEN.value)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(20), default=None)
    """"override" or "no_change" once answered."""
    reply: Mapped[str | None] = mapped_column(Text, default=None)
    """What the student reads: the override's comment, or the no-change reply."""
    override_id: Mapped[str | None] = mapped_column(ForeignKey("overrides.id"), default=None)
    answered_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    submission: Mapped[Submission] = relationship()
    student: Mapped[User] = relationship(foreign_keys=[user_id])
    override: Mapped[Override | None] = relationship()


# One open request per student, problem set and field, even when two are opened at once.
Index(
    "uq_regrade_requests_open",
    RegradeRequest.user_id,
    RegradeRequest.problem_set,
    RegradeRequest.field,
    unique=True,
    sqlite_where=RegradeRequest.status == RegradeRequestStatus.OPEN.value,
    postgresql_where=RegradeRequest.status == RegradeRequestStatus.OPEN.value,
)


class JobRequeue(Base):
    """A deployment whose start re-queued the jobs a stopped service left: its other
    processes, starting with it or after it, leave them alone."""

    __tablename__ = "job_requeues"

    deployment: Mapped[str] = mapped_column(String(64), primary_key=True)
    requeued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
