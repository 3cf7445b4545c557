"""The regrade domain's job kind: grade a problem set's submissions again, report who changed."""

from functools import partial

from sqlalchemy.orm import Session

from app.db.models import Job, JobStatus
from app.jobs.protocol import JobRun, Json, ServiceJobKind
from app.regrade.schemas import REGRADE_JOB, RegradeOutcome
from app.regrade.service import SNAPSHOT, regrade
from app.services import Services

STARTED, GRADED = 0.1, 0.9
"""A regrade job's progress when it starts, and once every submission is regraded."""


def regrade_kind(services: Services) -> ServiceJobKind:
    """The regrade job: it runs in the job backend's thread and grades through the runner."""
    return ServiceJobKind(
        name=REGRADE_JOB,
        run=partial(_run, services),
        complete=_recorded,
        lost=partial(_lost, services),
        details=regrade_details,
        queue="regrades",
    )


def regrade_details(job: Job) -> Json:
    """A finished regrade's report of whose counted grade changed."""
    if job.status != JobStatus.DONE.value or job.result is None:
        return {}
    return {"result": RegradeOutcome.model_validate(job.result).model_dump(mode="json")}


def _run(services: Services, run: JobRun) -> Json:
    """The job: compared with the grades the request saw, so that a run cut off and run again
    still names everyone whose grade the regrade changed."""
    problem_set = str(run.spec["problem_set"])
    # A worker other than the process that reloaded the files must grade with them too.
    with run.units() as session:
        services.catalog_follower.follow(session)
    saved = run.spec.get("before")
    outcome = regrade(
        services,
        run.units,
        problem_set,
        report=lambda done: run.report(STARTED + (GRADED - STARTED) * done, {}),
        stopping=run.stopping,
        before=None if saved is None else SNAPSHOT.validate_python(saved),
    )
    return outcome.model_dump(mode="json")


def _recorded(session: Session, job: Job, outcome: Json) -> None:
    """Nothing is left to record: the grades were written as the job went."""


def _lost(services: Services, session: Session, spec: Json) -> str | None:
    problem_set = spec.get("problem_set")
    if problem_set in services.catalog.ids():
        return None
    return f"The problem set {problem_set} is no longer loaded, so it cannot be regraded."
