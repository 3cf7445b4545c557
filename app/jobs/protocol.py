"""The seam between the service and whatever runs its jobs.

A backend takes job ids, never payloads: the job's inputs are in its database row, so a
backend that runs elsewhere (Celery workers) needs only the id and the database.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from app.db.models import Job

Json = dict[str, Any]
UnitOfWork = Callable[[], AbstractContextManager[Session]]
"""Opens one transaction: committed when the block ends, rolled back if it raises."""


class JobBackend(Protocol):
    """Runs queued jobs, given their ids, after the transaction that created them commits."""

    def submit(self, job_id: str) -> None:
        """Queue the job; returns at once."""
        ...

    def close(self) -> None:
        """Stop taking jobs; a job cut off here stays in the database and is resumed later."""
        ...


@dataclass(frozen=True, slots=True)
class JobKind:
    """One kind of job, named "domain.action": what runs in the sandbox, and what it records."""

    name: str
    run: Callable[[Json], Json]
    """A module-level function (it is sent to a worker process): JSON in, JSON out. An
    outcome with an "error" key fails the job with that error."""
    complete: Callable[[Session, Job, Json], None]
    """Records a successful outcome, in the transaction that marks the job done."""
    lost: Callable[[Json], str | None]
    """Why a job cannot be resumed after a restart (its input is gone), or None."""


class JobFailed(Exception):
    """A job produced no outcome; `error` is what its record shows ({"error", "detail"})."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(f"{error}: {detail}")
        self.error = {"error": error, "detail": detail}


class JobInterrupted(Exception):
    """The backend stopped while the job ran; the job goes back to the queue."""


Execute = Callable[[JobKind, Json], Json]
"""Runs a kind's function on a job's spec, somewhere; raises JobFailed or JobInterrupted."""
