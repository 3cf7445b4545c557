"""Submission routes: submit, read back and list."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from app.deps import (
    CurrentUser,
    IdempotencyDep,
    JsonBody,
    ServicesDep,
    SessionDep,
    SubmissionQuota,
)
from app.idempotency.service import digest_of
from app.problemsets.endpoints import ProblemSetId
from app.submissions import service
from app.submissions.repository import ScoreBand
from app.submissions.schemas import SubmissionCreate, SubmissionPage, SubmissionPublic

router = APIRouter(tags=["submissions"])

MAX_PAGE = 200
MAX_OFFSET = 1_000_000
# Ids are UUIDs; anything else is refused before it reaches a query.
ID_PATTERN = r"^[0-9a-f-]{1,36}$"


@router.post(
    "/problem-sets/{problem_set}/submissions",
    status_code=status.HTTP_201_CREATED,
    dependencies=[JsonBody],
)
def submit(
    problem_set: ProblemSetId,
    body: SubmissionCreate,
    services: ServicesDep,
    session: SessionDep,
    user: SubmissionQuota,
    idempotency: IdempotencyDep,
) -> SubmissionPublic:
    """Grade the answers (all fields or some) and store them; an unreadable answer is `invalid`.

    With an `Idempotency-Key`, a retry of a stored submission answers the first result again
    (with `Idempotent-Replayed: true`) and stores nothing."""
    return idempotency.once(
        session,
        user,
        route=f"submissions:{problem_set}",
        digest=lambda: digest_of(body.answers),
        status=status.HTTP_201_CREATED,
        model=SubmissionPublic,
        run=lambda: service.submit(services, session, user, problem_set, body.answers),
    )


@router.get("/problem-sets/{problem_set}/submissions")
def list_submissions(
    problem_set: ProblemSetId,
    services: ServicesDep,
    session: SessionDep,
    user: CurrentUser,
    student: Annotated[
        str | None, Query(pattern=ID_PATTERN, description="A student's user id.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    late: Annotated[
        bool | None, Query(description="Only late submissions (true) or on-time ones (false).")
    ] = None,
    score: Annotated[
        ScoreBand | None,
        Query(description="Only full marks, some points or none, after the late factor."),
    ] = None,
) -> SubmissionPage:
    """Newest first: a student's own; an instructor's view has everyone's, `?student=` filters.

    `?late=true|false` keeps late or on-time submissions; `?score=full|some|none` keeps those
    whose score after the late factor reaches the maximum, is between, or is 0."""
    return service.page(
        services,
        session,
        user,
        problem_set,
        student=student,
        limit=limit,
        offset=offset,
        late=late,
        score=score,
    )


@router.get("/submissions/{submission_id}")
def read_submission(
    submission_id: Annotated[str, Path(pattern=ID_PATTERN, description="A submission id.")],
    session: SessionDep,
    user: CurrentUser,
) -> SubmissionPublic:
    """A stored submission; students see only their own."""
    return service.read(session, user, submission_id)
