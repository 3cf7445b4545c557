"""A job as its owner (or an instructor) reads it: common state plus what its kind shows."""

from typing import Any

from sqlalchemy.orm import Session

from app.batches.schemas import BATCH_JOB, BatchOutcome
from app.checkpoints.schemas import CHECKPOINT_JOB, EvaluationOutcome, UploadPublic
from app.db.models import Job, JobStatus, Role, User
from app.errors import NotFound
from app.jobs import repository
from app.jobs.schemas import JobAccepted, JobError, JobPublic
from app.regrade.schemas import REGRADE_JOB, RegradeOutcome
from app.untrusted import shown

JOBS_PATH = "/api/v1/jobs"


def read_job(session: Session, user: User, job_id: str) -> JobPublic:
    """A job; a student's view of anyone else's reads exactly like a missing one."""
    job = repository.by_id(session, job_id)
    if job is None or not (user.role == Role.INSTRUCTOR.value or job.user_id == user.id):
        raise NotFound(f"There is no job {shown(job_id)}.")
    position = None
    if job.status == JobStatus.QUEUED.value:
        position = repository.queued_before(session, job)
    return JobPublic(
        job_id=job.id,
        kind=job.kind,
        status=job.status,
        progress=job.progress,
        queue_position=position,
        problem_set=job.problem_set,
        field=job.field or None,
        user_id=job.user_id,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        error=None if job.error is None else JobError.model_validate(job.error),
        submission_id=job.submission_id,
        links=links(job),
        **_details(job),
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


def _details(job: Job) -> dict[str, Any]:
    """What this kind of job shows besides the common state."""
    done = job.status == JobStatus.DONE.value
    if job.kind == CHECKPOINT_JOB:
        spec = job.spec
        return {
            "upload": UploadPublic.model_validate(spec["upload"]),
            "declared": {**spec["declared"], "preprocessing": spec["preprocessing"]},
            "claims": spec["claims"],
            "result": EvaluationOutcome.model_validate(job.result) if done else None,
        }
    if job.kind == BATCH_JOB and job.result is not None:
        # An import's counts so far are its progress, so they show while it runs.
        return {"result": BatchOutcome.model_validate(job.result)}
    if job.kind == REGRADE_JOB and done and job.result is not None:
        return {"result": RegradeOutcome.model_validate(job.result)}
    return {}
