"""The seam between the service and whatever runs its jobs.

A backend takes job ids, never payloads: the job's inputs are in its database row, so a
backend that runs elsewhere (Celery workers) needs only the id and the database.
"""

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from app.db.models import Job
from app.jobs import repository

Json = dict[str, Any]
DEFAULT_QUEUE = "jobs"
"""The queue of a kind that names none (workers take the queues they are told to)."""
UnitOfWork = Callable[[], AbstractContextManager[Session]]
"""Opens one transaction: committed when the block ends, rolled back if it raises."""


def nothing_stored(units: UnitOfWork, spec: Json) -> None:
    """The clean-up of a kind whose input is all in its spec."""


def as_given(units: UnitOfWork, spec: Json) -> AbstractContextManager[Json]:
    """The inputs of a kind whose input is all in its spec: the spec itself."""
    return nullcontext(spec)


def no_details(job: Job) -> Json:
    """The public details of a kind that shows only the common state."""
    return {}


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
    lost: Callable[[Session, Json], str | None]
    """Why a job cannot be resumed after a restart (its input is gone), or None; asked in
    the transaction that looks for the jobs to resume."""
    clean_up: Callable[[UnitOfWork, Json], None] = nothing_stored
    """Lets go of the input a job stored (marks it for deletion), once the job has ended for
    good (done, failed, or lost at a start); run after that is committed, never for a job
    queued again."""
    details: Callable[[Job], Json] = no_details
    """What a job of this kind shows besides the common state: the JobPublic fields
    `upload`, `declared`, `claims`, `result` and `copies` (shown to instructors only), as
    JSON."""
    inputs: Callable[[UnitOfWork, Json], AbstractContextManager[Json]] = as_given
    """The spec `run` is given, with the job's stored input made readable where the job runs
    (a private temporary file) for as long as the block lasts; raises JobFailed when the
    input is gone."""
    queue: str = DEFAULT_QUEUE
    """The worker queue its jobs go to when workers run elsewhere (`dlgrade worker`)."""


@dataclass(frozen=True, slots=True)
class JobRun:
    """A job as a kind that runs in the service's own process sees it while it runs."""

    job_id: str
    spec: Json
    units: UnitOfWork
    """Transactions for the job's own writes (each short: nothing else waits on them)."""
    stopping: Callable[[], bool]
    """True once the backend is closing: stop at the next safe point with JobInterrupted."""
    queue: Callable[[str], None]
    """Queue another job (created in a committed transaction) on the backend running this one."""

    def report(self, progress: float, partial: Json) -> None:
        """Record how far the job has got (0..1) and its result so far, for those who poll it."""
        with self.units() as session:
            repository.report(session, self.job_id, progress, partial)

    def check_stopping(self) -> None:
        """Raise JobInterrupted if the backend is closing; the job is queued again."""
        if self.stopping():
            raise JobInterrupted


@dataclass(frozen=True, slots=True)
class ServiceJobKind:
    """A kind that runs in the backend's own thread rather than in a sandboxed worker: it
    handles no untrusted bytes itself (it grades through the sandboxed runner) and writes to
    the database as it goes, so it must be safe to run again after an interruption."""

    name: str
    run: Callable[[JobRun], Json]
    """The job's work; raises JobFailed to fail it, JobInterrupted when told to stop."""
    complete: Callable[[Session, Job, Json], None]
    """Records a successful outcome, in the transaction that marks the job done."""
    lost: Callable[[Session, Json], str | None]
    """Why a job cannot be resumed after a restart (its input is gone), or None; asked in
    the transaction that looks for the jobs to resume."""
    clean_up: Callable[[UnitOfWork, Json], None] = nothing_stored
    """Lets go of the input a job stored (marks it for deletion), once the job has ended for
    good (done, failed, or lost at a start); run after that is committed, never for a job
    queued again."""
    details: Callable[[Job], Json] = no_details
    """What a job of this kind shows besides the common state: the JobPublic fields
    `upload`, `declared`, `claims`, `result` and `copies` (shown to instructors only), as
    JSON."""
    queue: str = DEFAULT_QUEUE
    """The worker queue its jobs go to when workers run elsewhere (`dlgrade worker`)."""


AnyJobKind = JobKind | ServiceJobKind
JobKinds = Mapping[str, AnyJobKind]


class JobFailed(Exception):
    """A job produced no outcome; `error` is what its record shows ({"error", "detail"})."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(f"{error}: {detail}")
        self.error = {"error": error, "detail": detail}


class JobInterrupted(Exception):
    """The backend stopped while the job ran; the job goes back to the queue."""


Execute = Callable[[JobKind, Json], Json]
"""Runs a kind's function on a job's spec, somewhere; raises JobFailed or JobInterrupted."""
