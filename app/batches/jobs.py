"""The batch domain's job kind: import a stored class file, showing its counts as it goes."""

from datetime import datetime
from functools import partial
from pathlib import Path

from sqlalchemy.orm import Session

from app.batches.schemas import BATCH_JOB, BatchOutcome
from app.batches.service import import_file
from app.db.models import Job
from app.errors import DomainError
from app.jobs.protocol import JobFailed, JobRun, Json, ServiceJobKind
from app.services import Services


def batch_kind(services: Services) -> ServiceJobKind:
    """The job kind that imports a stored class file."""
    return ServiceJobKind(
        name=BATCH_JOB,
        run=partial(_run_import, services),
        complete=_done,
        lost=batch_lost,
        clean_up=remove_class_file,
        details=import_details,
        queue="imports",
    )


def batch_lost(spec: Json) -> str | None:
    """Why an import cannot resume: its stored class file is gone."""
    if Path(spec["path"]).is_file():
        return None
    return "The class file is no longer on the server; import it again."


def remove_class_file(spec: Json) -> None:
    """Remove an ended import's copy of its class file (an interrupted one still needs it)."""
    Path(spec["path"]).unlink(missing_ok=True)


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
    try:
        outcome = import_file(
            services,
            run.units,
            path=Path(spec["path"]),
            filename=spec["filename"],
            problem_set=spec["problem_set"],
            create_students=spec["create_students"],
            published_numbers=spec["published_numbers"],
            report=partial(_report, run),
            stopping=run.stopping,
            queue=run.queue,
            now=datetime.fromisoformat(spec["received_at"]),
        )
    except DomainError as exc:
        raise JobFailed(exc.error, exc.detail) from None
    return outcome.model_dump(mode="json")


def _report(run: JobRun, outcome: BatchOutcome) -> None:
    # Claiming a job sets 0.1; the rest of the way is the share of rows handled.
    share = outcome.done / outcome.total if outcome.total else 1.0
    run.report(round(0.1 + 0.85 * share, 4), outcome.model_dump(mode="json"))
