"""The calls the pages' script makes: previews while typing, model uploads, job progress.

Each takes the session cookie and the `X-CSRF-Token` header, and answers in the API's JSON
(errors included), from the same services as the API.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, UploadFile, status

from app.checkpoints import service as checkpoints
from app.checkpoints.endpoints import require_multipart
from app.checkpoints.schemas import CheckpointCreate
from app.deps import JsonBody, ServicesDep, SessionDep
from app.jobs.endpoints import ID_PATTERN
from app.jobs.public import read_job
from app.jobs.schemas import JobAccepted, JobPublic
from app.problemsets import service as problem_sets
from app.problemsets.endpoints import ProblemSetId
from app.problemsets.schemas import PreviewCreate, PreviewPublic
from app.web.deps import CsrfUser

router = APIRouter(prefix="/ui", include_in_schema=False)

UI_CHECKPOINT_UPLOAD_PATH = r"/ui/problem-sets/[^/]+/checkpoints"
"""The page's upload route, as a pattern for the body-size limit (the model size limit)."""


@router.post("/problem-sets/{problem_set}/preview", dependencies=[JsonBody])
def preview(
    problem_set: ProblemSetId, body: PreviewCreate, services: ServicesDep, user: CsrfUser
) -> PreviewPublic:
    """How each answer reads, as the API's preview; counted against the preview quota."""
    services.limiter.hit("previews", user.id)
    return problem_sets.preview(services.catalog, services.runner, problem_set, body.answers, user)


@router.post(
    "/problem-sets/{problem_set}/checkpoints",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(require_multipart)],
)
def upload_checkpoint(
    problem_set: ProblemSetId,
    form: Annotated[CheckpointCreate, Form()],
    file: Annotated[UploadFile, File()],
    services: ServicesDep,
    session: SessionDep,
    user: CsrfUser,
) -> JobAccepted:
    """Store a model and queue its evaluation, as the API's upload; the page polls the job."""
    services.limiter.hit("checkpoints", user.id)
    return checkpoints.upload(services, session, user, problem_set, form, file.file, file.filename)


@router.get("/jobs/{job_id}")
def job(
    job_id: Annotated[str, Path(pattern=ID_PATTERN)], session: SessionDep, user: CsrfUser
) -> JobPublic:
    """Where a job of the user's stands, and its result once done."""
    return read_job(session, user, job_id)
