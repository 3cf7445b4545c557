"""The calls the pages' script makes: previews while typing and job progress (uploads go to
the API's own routes, which take the page's session too).

Each takes the session cookie and the `X-CSRF-Token` header, and answers in the API's JSON
(errors included), from the same services as the API.
"""

from typing import Annotated

from fastapi import APIRouter, Path

from app.deps import JsonBody, ServicesDep, SessionDep
from app.jobs.endpoints import ID_PATTERN, queued_elsewhere
from app.jobs.public import read_job
from app.jobs.schemas import JobPublic
from app.problemsets import service as problem_sets
from app.problemsets.endpoints import ProblemSetId
from app.problemsets.schemas import PreviewCreate, PreviewPublic
from app.web.deps import CsrfUser

router = APIRouter(prefix="/ui", include_in_schema=False)


@router.post("/problem-sets/{problem_set}/preview", dependencies=[JsonBody])
def preview(
    problem_set: ProblemSetId, body: PreviewCreate, services: ServicesDep, user: CsrfUser
) -> PreviewPublic:
    """How each answer reads, as the API's preview; counted against the preview quota."""
    services.limiter.hit("previews", user.id)
    return problem_sets.preview(services.catalog, services.runner, problem_set, body.answers, user)


@router.get("/jobs/{job_id}")
def job(
    job_id: Annotated[str, Path(pattern=ID_PATTERN)],
    session: SessionDep,
    user: CsrfUser,
    services: ServicesDep,
) -> JobPublic:
    """Where a job of the user's stands, and its result once done."""
    elsewhere = queued_elsewhere(services)
    return read_job(session, user, job_id, services.job_kinds, queued_elsewhere=elsewhere)
