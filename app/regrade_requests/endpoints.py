"""Regrade-request routes: a student opens one on their counted submission and reads the
answer; an instructor lists them and answers each."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from app.db.models import RegradeRequestStatus
from app.deps import CurrentUser, Instructor, JsonBody, ServicesDep, SessionDep
from app.regrade_requests import service
from app.regrade_requests.repository import Filters
from app.regrade_requests.schemas import (
    RegradeAnswer,
    RegradeRequestCreate,
    RegradeRequestList,
    RegradeRequestPublic,
)

router = APIRouter(tags=["regrade requests"])

ID_PATTERN = r"^[0-9a-f-]{1,36}$"
SubmissionId = Annotated[str, Path(pattern=ID_PATTERN, description="A submission id.")]
RequestId = Annotated[str, Path(pattern=ID_PATTERN, description="A regrade request id.")]


@router.post(
    "/submissions/{submission_id}/regrade-requests",
    status_code=status.HTTP_201_CREATED,
    dependencies=[JsonBody],
)
def open_request(
    submission_id: SubmissionId,
    body: RegradeRequestCreate,
    services: ServicesDep,
    session: SessionDep,
    user: CurrentUser,
) -> RegradeRequestPublic:
    """Ask for a second look at one field of your counted submission, saying why; one open
    request per field, rate limited per student."""
    services.limiter.hit(service.RATE_SCOPE, user.id)
    return service.open_request(services, session, user, submission_id, body)


@router.get("/regrade-requests")
def list_requests(
    session: SessionDep,
    user: CurrentUser,
    problem_set: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    field: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    request_status: Annotated[RegradeRequestStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LISTED)] = 100,
) -> RegradeRequestList:
    """Regrade requests, oldest first: an instructor's everyone's, a student's their own."""
    filters = Filters(problem_set=problem_set, field=field, status=request_status)
    return service.listed(session, user, filters, limit=limit)


@router.get("/regrade-requests/{request_id}")
def get_request(
    request_id: RequestId, session: SessionDep, user: CurrentUser
) -> RegradeRequestPublic:
    """One regrade request with its answer, if it has one."""
    return service.one(session, user, request_id)


@router.post("/regrade-requests/{request_id}/answer", dependencies=[JsonBody])
def answer_request(
    request_id: RequestId, body: RegradeAnswer, session: SessionDep, user: Instructor
) -> RegradeRequestPublic:
    """Answer an open request with an override (`"outcome": "override"`, a score and a
    comment) or with no change and a reply (`"outcome": "no_change"`); it is then closed."""
    return service.answer(session, user, request_id, body)
