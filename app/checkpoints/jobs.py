"""The checkpoint domain's job kind: evaluate an upload in the sandbox, record it, show it."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from sqlalchemy.orm import Session

from app.blobs import service as blobs
from app.checkpoints import copies
from app.checkpoints.schemas import CHECKPOINT_JOB, EvaluationOutcome, UploadPublic
from app.checkpoints.service import record_evaluation
from app.checkpoints.worker import evaluate_upload
from app.db.models import Job, JobStatus
from app.jobs.protocol import JobFailed, JobKind, Json, UnitOfWork
from app.problemsets.following import CatalogFollower

GONE = "The uploaded file is no longer on the server; upload the model again."


def checkpoint_kind(follower: CatalogFollower, *, retention_s: float) -> JobKind:
    """The job kind that evaluates an uploaded checkpoint and records it as a submission."""
    return JobKind(
        name=CHECKPOINT_JOB,
        run=evaluate_upload,
        complete=partial(complete_evaluation, follower=follower),
        lost=upload_lost,
        clean_up=partial(release_upload, retention_s=retention_s),
        details=evaluation_details,
        inputs=upload_on_disk,
        queue="evaluations",
    )


def complete_evaluation(
    session: Session, job: Job, outcome: Json, *, follower: CatalogFollower
) -> None:
    """Record the evaluated checkpoint as a submission, with the problem files of the newest
    regrade, and the copies its model is of."""
    follower.follow(session)
    record_evaluation(session, job, outcome, catalog=follower.catalog)
    copies.record(session, job, outcome)


def upload_lost(session: Session, spec: Json) -> str | None:
    """Why a checkpoint job cannot resume: its uploaded model is gone."""
    return None if blobs.present(session, spec.get("blob")) else GONE


def release_upload(units: UnitOfWork, spec: Json, *, retention_s: float) -> None:
    """Let an evaluated upload's blob go after the retention period; its size and digest stay
    in the job's spec."""
    if "blob" in spec:
        blobs.release(units, spec["blob"], retention_s=retention_s)


@contextmanager
def upload_on_disk(units: UnitOfWork, spec: Json) -> Iterator[Json]:
    """The spec the sandboxed worker reads, naming a private temporary copy of the model."""
    try:
        with blobs.materialised(units, spec.get("blob", ""), suffix=spec["suffix"]) as path:
            yield {**spec, "path": str(path)}
    except blobs.BlobMissing:
        raise JobFailed("JobLost", GONE) from None


def evaluation_details(job: Job) -> Json:
    """The upload as received, what was declared and claimed, once done the outcome, and the
    copies found of its model (shown to instructors only)."""
    spec = job.spec
    done = job.status == JobStatus.DONE.value
    outcome = EvaluationOutcome.model_validate(job.result) if done else None
    return {
        "upload": UploadPublic.model_validate(spec["upload"]).model_dump(mode="json"),
        "declared": {**spec["declared"], "preprocessing": spec["preprocessing"]},
        "claims": spec["claims"],
        "result": None if outcome is None else outcome.model_dump(mode="json"),
        "copies": [copy.model_dump(mode="json") for copy in copies.of_job(job)] if done else [],
    }
