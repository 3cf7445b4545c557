"""A job's life: created in a request's transaction, claimed, run, finished or failed; resumed
after a restart. Each step is its own short transaction; nothing runs while one is open."""

import logging
from collections.abc import Callable

from sqlalchemy.orm import Session

from app.db.models import Job, JobStatus, utcnow
from app.jobs import repository
from app.jobs.protocol import (
    AnyJobKind,
    Execute,
    JobFailed,
    JobInterrupted,
    JobKinds,
    JobRun,
    Json,
    ServiceJobKind,
    UnitOfWork,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
"""A job that was cut off this many times (the service stopped or died while it ran) fails,
so that a job that kills its service cannot take it down on every start."""


def create(session: Session, job: Job) -> Job:
    """Insert a queued job in the caller's transaction; queue it only after that commits."""
    job.status = JobStatus.QUEUED.value
    job.progress = 0.0
    job.attempts = 0
    return repository.add(session, job)


def never() -> bool:
    """A backend that never stops its jobs early."""
    return False


def process(
    units: UnitOfWork,
    kinds: JobKinds,
    job_id: str,
    execute: Execute,
    *,
    queue: Callable[[str], None],
    stopping: Callable[[], bool] = never,
) -> None:
    """Claim a queued job, run it outside any transaction, and record how it ended; once it
    has ended, its kind cleans up after it."""
    with units() as session:
        job = repository.claim(session, job_id)
        if job is None:
            return
        kind_name, spec = job.kind, dict(job.spec)
    kind = kinds.get(kind_name)
    if kind is None:
        _fail(units, job_id, {"error": "UnknownJob", "detail": f"No handler for {kind_name}."})
        return
    try:
        if isinstance(kind, ServiceJobKind):
            outcome = _run_here(kind, JobRun(job_id, spec, units, stopping, queue))
        else:
            outcome = execute(kind, spec)
    except JobInterrupted:
        _requeue(units, job_id)
        return
    except JobFailed as exc:
        ended = _fail(units, job_id, exc.error)
    else:
        ended = _record(units, job_id, kind, outcome)
    if ended:
        _clean_up(kind, spec)


def _run_here(kind: ServiceJobKind, run: JobRun) -> Json:
    """Run a service-side kind in this thread; an unexpected error fails the job, logged."""
    try:
        return kind.run(run)
    except (JobFailed, JobInterrupted):
        raise
    except Exception:
        log.exception("job %s (%s) failed", run.job_id, kind.name)
        raise JobFailed(
            "JobCrashed", "The job stopped on an internal error; it was logged."
        ) from None


def resume(units: UnitOfWork, kinds: JobKinds) -> list[str]:
    """After a restart: the ids of the jobs to queue again; those that cannot run are failed."""
    resumed: list[str] = []
    lost: list[tuple[AnyJobKind, Json]] = []
    with units() as session:
        for job in repository.pending(session):
            kind = kinds.get(job.kind)
            problem = _why_not_resumable(job, kind)
            if problem is not None:
                _mark_failed(job, {"error": "JobLost", "detail": problem})
                if kind is not None:
                    lost.append((kind, dict(job.spec)))
                continue
            job.status = JobStatus.QUEUED.value
            job.progress = 0.0
            resumed.append(job.id)
    for kind, spec in lost:
        _clean_up(kind, spec)
    return resumed


def _why_not_resumable(job: Job, kind: AnyJobKind | None) -> str | None:
    if kind is None:
        return f"This service has no handler for {job.kind} jobs."
    if job.attempts >= MAX_ATTEMPTS:
        return f"The job was interrupted {job.attempts} times while it ran; it was given up."
    return kind.lost(dict(job.spec))


def _record(units: UnitOfWork, job_id: str, kind: AnyJobKind, outcome: Json) -> bool:
    """Finish the job with its outcome, or fail it with the outcome's error; whether it ended."""
    if "error" in outcome:
        return _fail(units, job_id, outcome["error"], result=outcome)
    return _finish(units, job_id, kind, outcome)


def _finish(units: UnitOfWork, job_id: str, kind: AnyJobKind, outcome: Json) -> bool:
    try:
        with units() as session:
            job = repository.by_id(session, job_id)
            if job is None or job.status != JobStatus.RUNNING.value:
                return False
            job.status = JobStatus.DONE.value
            job.progress = 1.0
            job.result = outcome
            job.finished_at = utcnow()
            kind.complete(session, job, outcome)
    except Exception:
        log.exception("recording the outcome of job %s failed", job_id)
        detail = "The result could not be recorded; submit the work again."
        return _fail(units, job_id, {"error": "RecordFailed", "detail": detail}, result=outcome)
    return True


def _fail(units: UnitOfWork, job_id: str, error: Json, *, result: Json | None = None) -> bool:
    with units() as session:
        job = repository.by_id(session, job_id)
        if job is None or job.status != JobStatus.RUNNING.value:
            return False
        _mark_failed(job, error, result=result)
    return True


def _mark_failed(job: Job, error: Json, *, result: Json | None = None) -> None:
    job.status = JobStatus.FAILED.value
    job.progress = 1.0
    job.error = error
    job.result = result
    job.finished_at = utcnow()


def _clean_up(kind: AnyJobKind, spec: Json) -> None:
    try:
        kind.clean_up(spec)
    except OSError:
        # The job's record is right either way; a file left behind costs only disk space.
        log.exception("cleaning up after a %s job failed", kind.name)


def _requeue(units: UnitOfWork, job_id: str) -> None:
    with units() as session:
        job = repository.by_id(session, job_id)
        if job is not None and job.status == JobStatus.RUNNING.value:
            job.status = JobStatus.QUEUED.value
            job.progress = 0.0
