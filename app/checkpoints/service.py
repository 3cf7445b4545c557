"""Checkpoint uploads: store the bytes (a blob in the database) and queue an evaluation job;
read jobs back; record an evaluated checkpoint as a submission. This process never deserializes
a model: the sandboxed worker (app/checkpoints/worker.py) does."""

import os
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from app import __version__
from app.blobs import service as blobs
from app.checkpoints.envelope import screen
from app.checkpoints.schemas import (
    CHECKPOINT_JOB,
    CheckpointCreate,
    EvaluationOutcome,
)
from app.config import Settings
from app.db.engine import on_commit
from app.db.models import FieldGrade, Job, Submission, User, new_id, utcnow
from app.errors import (
    InvalidRequest,
    RateLimited,
    UnknownField,
    UnsupportedMediaType,
)
from app.jobs import repository as jobs_repository
from app.jobs import service as jobs
from app.jobs.protocol import Json
from app.jobs.public import accepted
from app.jobs.schemas import JobAccepted
from app.problemsets.catalog import ProblemCatalog, reference_hash
from app.problemsets.schema import CheckpointSpec, ProblemSetDef
from app.services import Services
from app.submissions import policy
from app.submissions import repository as submissions_repository
from app.submissions.policy import Lateness
from app.untrusted import shown

CHECKPOINT_BLOB = "checkpoint"
"""The purpose of a model's blob."""
ACCEPTED_SUFFIXES = (".safetensors", ".pt", ".pth")
SAVE_STATE_DICT = (
    "Upload the state_dict instead: safetensors.torch.save_file(model.state_dict(), "
    "'model.safetensors') (preferred), or torch.save(model.state_dict(), 'model.pt')."
)
REFUSED_SUFFIXES = {
    ".pt2": "A torch.export archive (.pt2) can run code when it is loaded, so it is not accepted.",
    ".ts": "A TorchScript file can run code when it is loaded, so it is not accepted.",
    ".zip": "A .zip is a TorchScript or export archive, which can run code when loaded.",
    ".onnx": "ONNX models are not evaluated here.",
    ".pkl": "A pickle can run code when it is loaded, so it is not accepted.",
    ".pickle": "A pickle can run code when it is loaded, so it is not accepted.",
}
MAX_PENDING_JOBS = 10
MAX_FILENAME_CHARS = 200


@dataclass(frozen=True, slots=True)
class EvaluationTarget:
    """What an upload is to be evaluated for, checked before any of its bytes are read."""

    problem_set: str
    field: str
    rules: CheckpointSpec
    max_score: float
    late: Lateness
    filename: str
    """The file's name as shown back."""
    suffix: str
    when: datetime


@dataclass(frozen=True, slots=True)
class StoredModel:
    """A model file kept as a blob for the job that will evaluate it."""

    job_id: str
    blob_id: str
    size: int
    sha256: str


def upload(
    services: Services,
    session: Session,
    user: User,
    problem_set: str,
    form: CheckpointCreate,
    file: BinaryIO,
    filename: str | None,
    *,
    now: datetime | None = None,
) -> JobAccepted:
    """Store an uploaded model and queue its evaluation; the job runs once this commits."""
    target = evaluation_target(
        services.catalog, problem_set, form.field, filename, when=now or utcnow()
    )
    refuse_when_uploads_fill(services.settings, session, user)
    if jobs_repository.pending_count(session, user.id) >= MAX_PENDING_JOBS:
        raise RateLimited(
            f"You have {MAX_PENDING_JOBS} evaluations waiting; upload again when one has finished.",
            headers={"Retry-After": "30"},
        )
    # The blob is written in the request's transaction: a request that fails leaves nothing.
    stored = store_model(services.settings, session, user, file, target)
    job = add_evaluation(services.settings, session, user, target, form, stored)
    # Queued once the request's transaction commits: its row must be visible to the process
    # that will run it, and a request that rolls back queues nothing.
    on_commit(session, partial(services.jobs.submit, job.id))
    return accepted(job)


def refuse_when_uploads_fill(settings: Settings, session: Session, user: User) -> None:
    """429 when the user's waiting evaluations already hold the most bytes one may store."""
    limit = settings.max_pending_upload_bytes
    specs = jobs_repository.pending_specs(session, user.id, CHECKPOINT_JOB)
    held = sum(int(spec["upload"]["bytes"]) for spec in specs)
    if held >= limit:
        raise RateLimited(
            f"Your models waiting to be evaluated hold {_megabytes(held)}, and at most "
            f"{_megabytes(limit)} may wait at once; upload again when one has finished.",
            headers={"Retry-After": "30"},
        )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def evaluation_target(
    catalog: ProblemCatalog, problem_set: str, field: str, filename: str | None, *, when: datetime
) -> EvaluationTarget:
    """Check an upload before reading it: the field, the deadline and the file's name."""
    definition = catalog.definition(problem_set)
    rules = _checkpoint_spec(definition, field)
    max_score = catalog.compiled(problem_set).fields[field].max_score
    late = policy.lateness(definition.policy, problem_set, when)
    name, suffix = _accepted_name(filename)
    return EvaluationTarget(problem_set, field, rules, max_score, late, name, suffix, when)


def store_model(
    settings: Settings,
    session: Session,
    owner: User,
    file: BinaryIO,
    target: EvaluationTarget,
    *,
    job_id: str | None = None,
) -> StoredModel:
    """Store a model as a blob of a new job (or `job_id`) and screen it, in the caller's
    transaction."""
    job_id = job_id or new_id()
    max_bytes = settings.max_checkpoint_bytes
    blob = blobs.store_checked(
        session,
        file,
        check=lambda stored: check_model(settings, stored.read(max_bytes + 1), target),
        purpose=CHECKPOINT_BLOB,
        owner_id=owner.id,
        job_id=job_id,
        max_bytes=max_bytes,
        what="model file",
    )
    return StoredModel(job_id, blob.id, blob.size, blob.sha256)


def check_model(settings: Settings, data: bytes, target: EvaluationTarget) -> None:
    """Refuse, as an upload is refused, a model that is too large, empty or plainly not a
    state_dict (422)."""
    max_bytes = settings.max_checkpoint_bytes
    blobs.check_size(len(data), max_bytes=max_bytes, what="model file")
    screen(data, f"upload{target.suffix}", max_bytes=max_bytes)


def add_evaluation(
    settings: Settings,
    session: Session,
    user: User,
    target: EvaluationTarget,
    form: CheckpointCreate,
    stored: StoredModel,
    *,
    batch_key: str | None = None,
) -> Job:
    """Create the evaluation job of a stored model in the caller's transaction (not queued)."""
    spec = {
        "blob": stored.blob_id,
        "upload": {"filename": target.filename, "bytes": stored.size, "sha256": stored.sha256},
        **worker_spec(settings, target, form),
        "late": target.late.late,
        "score_factor": target.late.factor,
    }
    if batch_key is not None:
        # The imported row's key: recorded on the submission, so a re-import skips the model.
        spec["batch_key"] = batch_key
    job = Job(
        id=stored.job_id,
        kind=CHECKPOINT_JOB,
        user_id=user.id,
        problem_set=target.problem_set,
        field=target.field,
        created_at=target.when,
        spec=spec,
    )
    return jobs.create(session, job)


def worker_spec(
    settings: Settings, target: EvaluationTarget, form: CheckpointCreate
) -> dict[str, Any]:
    """What the sandboxed worker reads to evaluate a model (`path` aside): the field's rules,
    the declared options and claims, the dataset and the device."""
    return {
        "suffix": target.suffix,
        "max_bytes": settings.max_checkpoint_bytes,
        "field": target.field,
        "declared": form.declared(),
        "preprocessing": form.preprocessing(),
        "claims": {
            "test_accuracy": form.claimed_test_accuracy,
            "train_accuracy": form.claimed_train_accuracy,
        },
        "evaluate_train": form.evaluate_train,
        "rules": target.rules.model_dump(),
        "max_score": target.max_score,
        "dataset_dir": str(settings.dataset_dir.resolve()),
        "device": settings.device,
    }


def record_evaluation(
    session: Session, job: Job, outcome: Json, *, catalog: ProblemCatalog
) -> None:
    """Store an evaluated checkpoint as a submission of one field, with its provenance."""
    evaluated = EvaluationOutcome.model_validate(outcome)
    compiled = catalog.compiled(job.problem_set)
    field = compiled.fields[job.field]
    score = min(evaluated.grade.score, field.max_score)
    submission = Submission(
        user_id=job.user_id,
        problem_set=job.problem_set,
        created_at=job.created_at,
        total=score,
        max_total=compiled.max_total,
        late=bool(job.spec["late"]),
        score_factor=float(job.spec["score_factor"]),
        engine_version=__version__,
        problem_hash=catalog.file_hash(job.problem_set),
        reference_hash=reference_hash(),
        batch_key=job.spec.get("batch_key"),
        fields=[
            FieldGrade(
                position=list(compiled.fields).index(job.field),
                field=job.field,
                answer=_answer_text(job),
                verdict=evaluated.grade.verdict,
                score=score,
                max_score=field.max_score,
                feedback=evaluated.grade.feedback,
                parsed=summary(evaluated, job.spec["claims"]),
            )
        ],
    )
    job.submission_id = submissions_repository.add(session, submission).id


def summary(outcome: EvaluationOutcome, claims: dict[str, Any]) -> str:
    """How the checkpoint was read and measured, in one line of markdown with LaTeX."""
    test = outcome.test
    parts = [
        f"test accuracy {_percent(test.accuracy)} "
        f"(95% CI {_percent(test.ci_low)}–{_percent(test.ci_high)}, $n = {test.count}$)"
    ]
    if claims.get("test_accuracy") is not None:
        parts.append(f"claimed {_percent(claims['test_accuracy'])}")
    if outcome.train is not None:
        parts.append(f"train accuracy {_percent(outcome.train.accuracy)}")
        if claims.get("train_accuracy") is not None:
            parts.append(f"claimed {_percent(claims['train_accuracy'])}")
    options = outcome.options
    architecture = (
        f"LeNet-5, padding {options.get('padding')}, {options.get('pool')} pooling, "
        f"{options.get('activation')}, batch norm {options.get('batchnorm')}"
    )
    return f"{architecture}: " + "; ".join(parts)


def _percent(fraction: float) -> str:
    return f"{100 * fraction:.2f}\\%"


def _answer_text(job: Job) -> str:
    upload = job.spec["upload"]
    return (
        f"checkpoint {upload['filename']} ({upload['bytes']} bytes, "
        f"sha256 {upload['sha256']}), job {job.id}"
    )


def _checkpoint_spec(definition: ProblemSetDef, field_id: str) -> CheckpointSpec:
    uploads = {
        field.id: field.answer
        for question in definition.questions
        for field in question.fields
        if isinstance(field.answer, CheckpointSpec)
    }
    if field_id not in uploads:
        known = ", ".join(uploads) or "none"
        raise UnknownField(
            f"{shown(field_id)} is not a model-upload field of {definition.id}; "
            f"those are: {known}.",
            fields=["field"],
        )
    return uploads[field_id]


def _accepted_name(filename: str | None) -> tuple[str, str]:
    """The file's name as shown back, and its extension, if it is one the worker reads."""
    name = (filename or "").strip()
    if not name:
        raise InvalidRequest(
            "Send the model as the `file` part, with its file name.", fields=["file"]
        )
    suffix = os.path.splitext(name)[1].lower()
    if suffix in REFUSED_SUFFIXES:
        raise UnsupportedMediaType(f"{REFUSED_SUFFIXES[suffix]} {SAVE_STATE_DICT}", fields=["file"])
    if suffix not in ACCEPTED_SUFFIXES:
        raise UnsupportedMediaType(
            f"{shown(name)}: the model must be a .safetensors, .pt or .pth file. {SAVE_STATE_DICT}",
            fields=["file"],
        )
    return shown(name, limit=MAX_FILENAME_CHARS), suffix
