"""What the job routes return, for every kind of job."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class JobAccepted(BaseModel):
    """The answer to a request that starts a job: the job to poll."""

    job_id: str
    status: str
    links: dict[str, str]


class JobError(BaseModel):
    """Why a job failed: a stable name, a message, and for a shape mismatch every key."""

    error: str
    detail: str
    problems: list[dict[str, Any]] | None = None


class JobPublic(BaseModel):
    """A job: where it stands and, once finished, its outcome or its error. An import shows
    its result so far while it runs."""

    job_id: str
    kind: str
    status: Literal["queued", "running", "done", "failed"]
    progress: float = Field(description="0 queued, then up to 1 when finished.")
    queue_position: int | None = Field(
        default=None, description="Queued jobs ahead of this one, while it is queued."
    )
    waiting: str | None = Field(
        default=None,
        description="Why a queued job is not yet with the workers (their queue is unreachable).",
    )
    problem_set: str
    field: str | None = Field(default=None, description="The field of a checkpoint evaluation.")
    user_id: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    upload: dict[str, Any] | None = Field(
        default=None, description="A checkpoint evaluation's upload: file name, bytes, sha256."
    )
    declared: dict[str, Any] | None = None
    claims: dict[str, float | None] | None = None
    result: dict[str, Any] | None = Field(
        default=None,
        description="What the kind of job produced: an evaluation's outcome, an import's "
        "counts, a regrade's changes.",
    )
    copies: list[dict[str, Any]] | None = Field(
        default=None,
        description="Instructors only: other students' uploads of a checkpoint evaluation's "
        "field that are the same model (CopyPublic), both students named.",
    )
    error: JobError | None = None
    submission_id: str | None = None
    links: dict[str, str]
