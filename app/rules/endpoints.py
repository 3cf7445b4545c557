"""Answer-rule routes: instructors only."""

from fastapi import APIRouter, Response, status
from fastapi.responses import PlainTextResponse

from app.deps import Instructor, ServicesDep, SessionDep
from app.problemsets.endpoints import ProblemSetId
from app.rules import service
from app.rules.schemas import RuleCreate, RulePublic

router = APIRouter(tags=["rules"])

YAML = "application/yaml"


@router.post("/problem-sets/{problem_set}/rules", status_code=status.HTTP_201_CREATED)
def create_rule(
    problem_set: ProblemSetId,
    body: RuleCreate,
    services: ServicesDep,
    session: SessionDep,
    user: Instructor,
) -> RulePublic:
    """Accept an answer form for everyone, or name it a mistake with partial credit."""
    return service.create(services, session, user, problem_set, body)


@router.get("/problem-sets/{problem_set}/rules")
def list_rules(
    problem_set: ProblemSetId, services: ServicesDep, session: SessionDep, _user: Instructor
) -> list[RulePublic]:
    """The problem set's answer rules, oldest first."""
    return service.listed(services, session, problem_set)


@router.get(
    "/problem-sets/{problem_set}/rules/export",
    response_class=PlainTextResponse,
    responses={200: {"content": {YAML: {}}}},
)
def export_rules(
    problem_set: ProblemSetId, services: ServicesDep, session: SessionDep, _user: Instructor
) -> PlainTextResponse:
    """The rules as a problem-file fragment: folded into the file, it grades as they do."""
    text = service.exported(services, session, problem_set)
    return PlainTextResponse(text, media_type=YAML)


@router.delete(
    "/problem-sets/{problem_set}/rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT
)
def remove_rule(
    problem_set: ProblemSetId,
    rule_id: str,
    services: ServicesDep,
    session: SessionDep,
    _user: Instructor,
) -> Response:
    """Remove a rule; a regrade then restores the automatic grades."""
    service.remove(services, session, problem_set, rule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
