"""Job routes: follow any job (an evaluation, an import, a regrade) by its id."""

from typing import Annotated

from fastapi import APIRouter, Path

from app.deps import CurrentUser, ServicesDep, SessionDep
from app.jobs.public import read_job as read
from app.jobs.schemas import JobPublic
from app.services import Services

router = APIRouter(tags=["jobs"])

ID_PATTERN = r"^[0-9a-f-]{1,36}$"


@router.get("/jobs/{job_id}")
def read_job(
    job_id: Annotated[str, Path(pattern=ID_PATTERN, description="A job id.")],
    session: SessionDep,
    user: CurrentUser,
    services: ServicesDep,
) -> JobPublic:
    """Where a job stands: queued, running, done (with its result) or failed (with why)."""
    elsewhere = queued_elsewhere(services)
    return read(session, user, job_id, services.job_kinds, queued_elsewhere=elsewhere)


def queued_elsewhere(services: Services) -> bool:
    """Whether jobs go to a worker queue (a broker is set), so one not yet sent to it waits."""
    return services.settings.broker_url is not None
