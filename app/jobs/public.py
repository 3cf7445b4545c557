"""A job as its owner (or an instructor) reads it: common state plus what its kind shows."""

from sqlalchemy.orm import Session

from app.db.models import Job, JobStatus, Role, User
from app.errors import NotFound
from app.jobs import repository
from app.jobs.protocol import JobKinds, Json
from app.jobs.schemas import JobAccepted, JobError, JobPublic
from app.untrusted import shown

JOBS_PATH = "/api/v1/jobs"
WAITING_FOR_QUEUE = "The job queue is unreachable; the job will be sent when it is back."


def read_job(
    session: Session, user: User, job_id: str, kinds: JobKinds, *, queued_elsewhere: bool = False
) -> JobPublic:
    """A job, with what its kind shows; a student's view of anyone else's reads exactly like a
    missing one. `queued_elsewhere`: jobs go to a worker queue, so one not yet handed to it is
    shown as waiting for it."""
    job = repository.by_id(session, job_id)
    if job is None or not (user.role == Role.INSTRUCTOR.value or job.user_id == user.id):
        raise NotFound(f"There is no job {shown(job_id)}.")
    position = waiting = None
    if job.status == JobStatus.QUEUED.value:
        position = repository.queued_before(session, job)
        if queued_elsewhere and job.dispatched_at is None:
            waiting = WAITING_FOR_QUEUE
    return JobPublic(
        job_id=job.id,
        kind=job.kind,
        status=job.status,
        progress=job.progress,
        queue_position=position,
        waiting=waiting,
        problem_set=job.problem_set,
        field=job.field or None,
        user_id=job.user_id,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        error=None if job.error is None else JobError.model_validate(job.error),
        submission_id=job.submission_id,
        links=links(job),
        **_details(job, kinds, instructor=user.role == Role.INSTRUCTOR.value),
    )


def accepted(job: Job) -> JobAccepted:
    """The answer to the request that created the job."""
    return JobAccepted(job_id=job.id, status=job.status, links=links(job))


def links(job: Job) -> dict[str, str]:
    """Where to poll the job, and where the submissions it records are listed."""
    return {
        "self": f"{JOBS_PATH}/{job.id}",
        "submissions": f"/api/v1/problem-sets/{job.problem_set}/submissions",
    }


def _details(job: Job, kinds: JobKinds, *, instructor: bool) -> Json:
    """What this kind of job shows besides the common state; nothing for a kind not served.
    Copies found name other students, so only instructors see them."""
    kind = kinds.get(job.kind)
    details = {} if kind is None else kind.details(job)
    if not instructor:
        details.pop("copies", None)
    return details
