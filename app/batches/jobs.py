"""The batch domain's job kind: import a stored class file, showing its counts as it goes."""

from datetime import datetime
from functools import partial

from sqlalchemy.orm import Session

from app.batches.schemas import BATCH_JOB, BatchOutcome
from app.batches.service import import_file
from app.blobs import service as blobs
from app.db.models import Job
from app.errors import DomainError
from app.jobs.protocol import JobFailed, JobRun, Json, ServiceJobKind, UnitOfWork
from app.services import Services

GONE = "The class file is no longer on the server; import it again."


def batch_kind(services: Services) -> ServiceJobKind:
    """The job kind that imports a stored class file."""
    return ServiceJobKind(
        name=BATCH_JOB,
        run=partial(_run_import, services),
        complete=_done,
        lost=batch_lost,
        clean_up=partial(release_class_file, retention_s=services.settings.upload_retention_s),
        details=import_details,
        queue="imports",
    )


def batch_lost(session: Session, spec: Json) -> str | None:
    """Why an import cannot resume: its stored class file is gone."""
    return None if blobs.present(session, spec.get("blob")) else GONE


def release_class_file(units: UnitOfWork, spec: Json, *, retention_s: float) -> None:
    """Let an ended import's class file go after the retention period (an interrupted one
    still needs it)."""
    if "blob" in spec:
        blobs.release(units, spec["blob"], retention_s=retention_s)


def import_details(job: Job) -> Json:
    """An import's counts; they are its progress, so they show while it runs."""
    if job.result is None:
        return {}
    return {"result": BatchOutcome.model_validate(job.result).model_dump(mode="json")}


def _done(session: Session, job: Job, outcome: Json) -> None:
    # The rows were stored as the import went: the counts in the job's result are all.
    pass


def _run_import(services: Services, run: JobRun) -> Json:
    spec = run.spec
    # Graded with the problem files of the newest regrade, wherever it was reloaded.
    with run.units() as session:
        services.catalog_follower.follow(session)
    try:
        # A private copy for this run: whoever runs the job needs no disk shared with the API.
        with blobs.materialised(run.units, spec.get("blob", "")) as path:
            outcome = import_file(
                services,
                run.units,
                path=path,
                filename=spec["filename"],
                problem_set=spec["problem_set"],
                create_students=spec["create_students"],
                published_numbers=spec["published_numbers"],
                report=partial(_report, run),
                stopping=run.stopping,
                queue=run.queue,
                now=datetime.fromisoformat(spec["received_at"]),
            )
    except blobs.BlobMissing:
        raise JobFailed("JobLost", GONE) from None
    except DomainError as exc:
        raise JobFailed(exc.error, exc.detail) from None
    return outcome.model_dump(mode="json")


def _report(run: JobRun, outcome: BatchOutcome) -> None:
    # Claiming a job sets 0.1; the rest of the way is the share of rows handled.
    share = outcome.done / outcome.total if outcome.total else 1.0
    run.report(round(0.1 + 0.85 * share, 4), outcome.model_dump(mode="json"))
