"""A job's life: created in a request's transaction, claimed, run, finished or failed; resumed
after a restart. Each step is its own short transaction; nothing runs while one is open."""

import logging
import os
import secrets
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
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
HEARTBEAT_S = 10.0
"""How often a backend records that the jobs it runs are still running."""
LEASE_S = 3 * HEARTBEAT_S
"""How long a running job's runner may stay silent before a start-up takes the job back."""
SWEEP_LIMIT = 500
"""The most queued jobs one sweep hands to the worker queue (the next sweep sends more)."""
REQUEUE_MEMORY_DAYS = 30
"""How long a deployment's re-queue is remembered; a process of it starting later re-queues."""
MAX_HOST_CHARS = 160
"""Of the host name in a runner id, which must fit jobs.runner (200 characters)."""


def create(session: Session, job: Job) -> Job:
    """Insert a queued job in the caller's transaction; queue it only after that commits."""
    job.status = JobStatus.QUEUED.value
    job.progress = 0.0
    job.attempts = 0
    return repository.add(session, job)


def runner_id() -> str:
    """A name for one start of one backend: host, process id and a random nonce."""
    return f"{socket.gethostname()[:MAX_HOST_CHARS]}:{os.getpid()}:{secrets.token_hex(8)}"


def new_deployment() -> str:
    """An id for one deployment: the server processes started together by one command."""
    return secrets.token_hex(16)


def heartbeat(units: UnitOfWork, runner: str, *, now: datetime) -> None:
    """Record that a runner is alive on every job it is running."""
    with units() as session:
        repository.beat(session, runner, now)


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
    runner: str | None = None,
) -> None:
    """Claim a queued job for `runner`, run it outside any transaction, and record how it
    ended; once it has ended, its kind cleans up after it."""
    with units() as session:
        job = repository.claim(session, job_id, runner=runner)
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
            with kind.inputs(units, spec) as ready:
                outcome = execute(kind, ready)
    except JobInterrupted:
        _requeue(units, job_id)
        return
    except JobFailed as exc:
        ended = _fail(units, job_id, exc.error)
    else:
        ended = _record(units, job_id, kind, outcome)
    if ended:
        _clean_up(units, kind, spec)


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


def resume(
    units: UnitOfWork,
    kinds: JobKinds,
    *,
    deployment: str | None = None,
    now: datetime | None = None,
    lease_s: float = LEASE_S,
) -> list[str]:
    """After a start: the ids of the jobs to queue again; those that cannot run are failed.
    A running job whose runner was heard from within the lease is left to that runner. Of
    the processes of one deployment, the first to start does it and the others, starting
    with it or after it, get []; with no deployment, this start is a deployment of its own."""
    silent_since = (now or utcnow()) - timedelta(seconds=lease_s)
    return _reclaim(units, kinds, silent_since, starting=True, deployment=deployment)


def sweep(
    units: UnitOfWork,
    kinds: JobKinds,
    *,
    lease_s: float = LEASE_S,
    now: datetime | None = None,
    limit: int = SWEEP_LIMIT,
) -> list[str]:
    """Take back the running jobs whose runner went silent past the lease (failing those cut
    off too often), then the ids of the queued jobs still to be handed to the worker queue."""
    silent_since = (now or utcnow()) - timedelta(seconds=lease_s)
    _reclaim(units, kinds, silent_since, starting=False)
    with units() as session:
        return repository.undispatched(session, limit)


def dispatched(units: UnitOfWork, job_id: str, *, now: datetime | None = None) -> None:
    """Record that a queued job is in the worker queue, so the sweeper does not send it."""
    with units() as session:
        repository.mark_dispatched(session, job_id, now or utcnow())


def _reclaim(
    units: UnitOfWork,
    kinds: JobKinds,
    silent_since: datetime,
    *,
    starting: bool,
    deployment: str | None = None,
) -> list[str]:
    """Queue again (or fail) the unattended jobs: at a start also the queued ones, whose ids
    it returns with the taken-back ones."""
    resumed: list[str] = []
    lost: list[tuple[AnyJobKind, Json]] = []
    with units() as session:
        # In this transaction: a start that fails to re-queue leaves the turn to the next.
        if starting and not _first_start(session, deployment):
            return []
        for job in repository.unattended(session, silent_since, running_only=not starting):
            kind = kinds.get(job.kind)
            problem = _why_not_resumable(session, job, kind)
            if problem is None:
                if _take_back(session, job, silent_since):
                    resumed.append(job.id)
                continue
            failed = _failed({"error": "JobLost", "detail": problem})
            if repository.settle(session, job.id, silent_since, failed) and kind is not None:
                lost.append((kind, dict(job.spec)))
    for kind, spec in lost:
        _clean_up(units, kind, spec)
    return resumed


def _first_start(session: Session, deployment: str | None) -> bool:
    """Whether this start is the first of its deployment to re-queue; one alone always is."""
    if deployment is None:
        return True
    now = utcnow()
    if not repository.take_requeue_turn(session, deployment, now):
        log.info("deployment %s: another of its processes re-queued the jobs", deployment)
        return False
    repository.forget_requeues(session, now - timedelta(days=REQUEUE_MEMORY_DAYS))
    log.info("deployment %s: re-queueing the jobs a stopped service left", deployment)
    return True


def _take_back(session: Session, job: Job, silent_since: datetime) -> bool:
    """Queue a silent runner's job again, unless a live process took it meanwhile."""
    if job.status == JobStatus.QUEUED.value:
        # Left as it is: claiming is atomic, so of the processes that queue it, one runs it.
        return True
    # Not sent yet: where workers run elsewhere, the sweeper hands it to the queue again.
    values = {"status": JobStatus.QUEUED.value, "progress": 0.0, "dispatched_at": None}
    return repository.settle(session, job.id, silent_since, values)


def _why_not_resumable(session: Session, job: Job, kind: AnyJobKind | None) -> str | None:
    if kind is None:
        return f"This service has no handler for {job.kind} jobs."
    if job.attempts >= MAX_ATTEMPTS:
        return f"The job was interrupted {job.attempts} times while it ran; it was given up."
    return kind.lost(session, dict(job.spec))


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
        for name, value in _failed(error, result=result).items():
            setattr(job, name, value)
    return True


def _failed(error: Json, *, result: Json | None = None) -> dict[str, Any]:
    """The columns of a failed job."""
    return {
        "status": JobStatus.FAILED.value,
        "progress": 1.0,
        "error": error,
        "result": result,
        "finished_at": utcnow(),
    }


def _clean_up(units: UnitOfWork, kind: AnyJobKind, spec: Json) -> None:
    try:
        kind.clean_up(units, spec)
    except (OSError, SQLAlchemyError):
        # The job's record is right either way; the sweep deletes what an ended job left.
        log.exception("cleaning up after a %s job failed", kind.name)


def _requeue(units: UnitOfWork, job_id: str) -> None:
    with units() as session:
        job = repository.by_id(session, job_id)
        if job is not None and job.status == JobStatus.RUNNING.value:
            job.status = JobStatus.QUEUED.value
            job.progress = 0.0
            job.dispatched_at = None
