"""Every query on jobs."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.db.models import Job, JobRequeue, JobStatus, utcnow

PENDING = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


def add(session: Session, job: Job) -> Job:
    """Insert a job; flushed, so a failure surfaces here."""
    session.add(job)
    session.flush()
    return job


def by_id(session: Session, job_id: str) -> Job | None:
    """A job, or None."""
    return session.get(Job, job_id)


def claim(session: Session, job_id: str, *, runner: str | None = None) -> Job | None:
    """Mark a queued job running by `runner` and return it; None if it is not queued (taken,
    finished)."""
    # One conditional UPDATE: of two processes claiming the same job, exactly one wins.
    now = utcnow()
    claimed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED.value)
        .values(
            status=JobStatus.RUNNING.value,
            attempts=Job.attempts + 1,
            started_at=now,
            progress=0.1,
            runner=runner,
            heartbeat_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    job = session.get(Job, job_id, populate_existing=True)
    return job


def report(session: Session, job_id: str, progress: float, partial: dict[str, Any]) -> None:
    """Record a running job's progress and result so far; a job no longer running is left."""
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING.value)
        .values(progress=progress, result=partial)
        .execution_options(synchronize_session=False)
    )


def beat(session: Session, runner: str, now: datetime) -> None:
    """Record that a runner is alive on every job it is running."""
    session.execute(
        update(Job)
        .where(Job.runner == runner, Job.status == JobStatus.RUNNING.value)
        .values(heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )


def unattended(
    session: Session, silent_since: datetime, *, running_only: bool = False
) -> Sequence[Job]:
    """Jobs left queued, or running by a runner not heard from since `silent_since`; oldest
    first. `running_only` leaves out the queued ones."""
    found = _unattended(silent_since)
    if running_only:
        found = and_(found, Job.status == JobStatus.RUNNING.value)
    query = select(Job).where(found).order_by(Job.created_at, Job.id)
    return session.scalars(query).all()


def take_requeue_turn(session: Session, deployment: str, now: datetime) -> bool:
    """Whether this transaction is the first of the deployment's starts to re-queue the
    jobs; the others, starting with it or after it, get False."""
    # On PostgreSQL a second insert of the key waits for the first's transaction and does
    # nothing once that has committed; on SQLite, BEGIN IMMEDIATE queues the two outright.
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    taken = (
        insert(JobRequeue)
        .values(deployment=deployment, requeued_at=now)
        .on_conflict_do_nothing()
        .returning(JobRequeue.deployment)
    )
    return session.scalar(taken) is not None


def forget_requeues(session: Session, before: datetime) -> None:
    """Delete the records of the deployments that re-queued before `before`."""
    session.execute(delete(JobRequeue).where(JobRequeue.requeued_at < before))


def undispatched(session: Session, limit: int) -> list[str]:
    """The ids of queued jobs not yet handed to the worker queue, oldest first."""
    query = (
        select(Job.id)
        .where(Job.status == JobStatus.QUEUED.value, Job.dispatched_at.is_(None))
        .order_by(Job.created_at, Job.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def mark_dispatched(session: Session, job_id: str, now: datetime) -> None:
    """Record that a queued job was handed to the worker queue."""
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED.value)
        .values(dispatched_at=now)
        .execution_options(synchronize_session=False)
    )


def settle(session: Session, job_id: str, silent_since: datetime, values: dict[str, Any]) -> bool:
    """Update a job found unattended if it still is; False if a live process took it since."""
    settled = session.execute(
        update(Job)
        .where(Job.id == job_id, _unattended(silent_since))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(settled.rowcount == 1)  # type: ignore[attr-defined]


def _unattended(silent_since: datetime) -> ColumnElement[bool]:
    silent = or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < silent_since)
    return or_(
        Job.status == JobStatus.QUEUED.value, and_(Job.status == JobStatus.RUNNING.value, silent)
    )


def pending_count(session: Session, user_id: str) -> int:
    """How many of a user's jobs are queued or running."""
    query = (
        select(func.count()).select_from(Job).where(Job.user_id == user_id, Job.status.in_(PENDING))
    )
    return session.scalar(query) or 0


def pending_specs(session: Session, user_id: str, kind: str) -> list[dict[str, Any]]:
    """The specs of a user's queued and running jobs of one kind."""
    query = select(Job.spec).where(
        Job.user_id == user_id, Job.kind == kind, Job.status.in_(PENDING)
    )
    return list(session.scalars(query))


def queued_before(session: Session, job: Job) -> int:
    """How many queued jobs were created before this one (its place in the queue)."""
    query = (
        select(func.count())
        .select_from(Job)
        .where(Job.status == JobStatus.QUEUED.value, Job.created_at < job.created_at)
    )
    return session.scalar(query) or 0
