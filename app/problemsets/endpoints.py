"""Problem-set routes: the list, one problem set with the caller's numbers, and previews."""

from typing import Annotated

from fastapi import APIRouter, Path

from app.deps import CurrentUser, JsonBody, PreviewQuota, ServicesDep
from app.problemsets import service
from app.problemsets.schemas import (
    PreviewCreate,
    PreviewPublic,
    ProblemSetPublic,
    ProblemSetSummary,
)

router = APIRouter(prefix="/problem-sets", tags=["problem sets"])

ProblemSetId = Annotated[str, Path(max_length=100, description="A problem-set id, e.g. dl-ex1.")]


@router.get("")
def list_problem_sets(services: ServicesDep, _user: CurrentUser) -> list[ProblemSetSummary]:
    """Every problem set: title, size, points, due time and late policy."""
    return service.list_problem_sets(services.catalog)


@router.get("/{problem_set}")
def get_problem_set(
    problem_set: ProblemSetId, services: ServicesDep, user: CurrentUser
) -> ProblemSetPublic:
    """Questions and answer forms; a student sees the numbers of their own variant."""
    return service.problem_set_view(services.catalog, problem_set, user)


@router.post("/{problem_set}/preview", dependencies=[JsonBody])
def preview(
    problem_set: ProblemSetId, body: PreviewCreate, services: ServicesDep, user: PreviewQuota
) -> PreviewPublic:
    """How each answer was understood, as LaTeX or with what is wrong and where; records nothing."""
    return service.preview(services.catalog, services.runner, problem_set, body.answers, user)
