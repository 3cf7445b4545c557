"""The checkpoint domain's job kind: evaluate an upload in the sandbox, record it, show it."""

from functools import partial
from pathlib import Path

from app.checkpoints.schemas import CHECKPOINT_JOB, EvaluationOutcome, UploadPublic
from app.checkpoints.service import record_evaluation
from app.checkpoints.worker import evaluate_upload
from app.db.models import Job, JobStatus
from app.jobs.protocol import JobKind, Json
from app.problemsets.catalog import ProblemCatalog


def checkpoint_kind(catalog: ProblemCatalog) -> JobKind:
    """The job kind that evaluates an uploaded checkpoint and records it as a submission."""
    return JobKind(
        name=CHECKPOINT_JOB,
        run=evaluate_upload,
        complete=partial(record_evaluation, catalog=catalog),
        lost=upload_lost,
        clean_up=remove_upload,
        details=evaluation_details,
        queue="evaluations",
    )


def upload_lost(spec: Json) -> str | None:
    """Why a checkpoint job cannot resume: its uploaded file is gone."""
    if Path(spec["path"]).is_file():
        return None
    return "The uploaded file is no longer on the server; upload the model again."


def remove_upload(spec: Json) -> None:
    """Remove an evaluated upload's file; its size and digest stay in the job's spec."""
    Path(spec["path"]).unlink(missing_ok=True)


def evaluation_details(job: Job) -> Json:
    """The upload as received, what was declared and claimed, and once done the outcome."""
    spec = job.spec
    done = job.status == JobStatus.DONE.value
    outcome = EvaluationOutcome.model_validate(job.result) if done else None
    return {
        "upload": UploadPublic.model_validate(spec["upload"]).model_dump(mode="json"),
        "declared": {**spec["declared"], "preprocessing": spec["preprocessing"]},
        "claims": spec["claims"],
        "result": None if outcome is None else outcome.model_dump(mode="json"),
    }
