"""Ruling on a common answer from the statistics page: the form makes an answer rule (accepted,
or a named mistake), then starts the regrade and follows it on its job's page, which lists the
students whose grade changed. A refused rule re-renders the page with why, keeping what was
typed, and stores nothing."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.deps import ServicesDep, SessionDep
from app.errors import InvalidRequest, InvalidSubmission
from app.problemsets.endpoints import ProblemSetId
from app.regrade.service import start_regrade
from app.rules import service as rules
from app.rules.schemas import RuleCreate
from app.services import Services
from app.web import instructor_views as views
from app.web.deps import PageRoute
from app.web.guards import CsrfInstructor
from app.web.instructor import EXPORT_FORMATS
from app.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Text = Annotated[str, Form()]


@dataclass(frozen=True, slots=True)
class Ruled:
    """The answer a refused form was about, and what was typed into it."""

    field: str
    answer: str
    typed: dict[str, str]


@router.post("/sets/{problem_set}/rules")
def make_rule(
    request: Request,
    problem_set: ProblemSetId,
    services: ServicesDep,
    session: SessionDep,
    user: CsrfInstructor,
    field: Text = "",
    answer: Text = "",
    verdict: Text = "",
    credit: Text = "",
    note: Text = "",
    feedback: Text = "",
) -> Response:
    """Make the rule, start the regrade and show its progress and result."""
    typed = {"verdict": verdict, "credit": credit, "note": note, "feedback": feedback}
    try:
        body = rule_from_form(field=field, answer=answer, **typed)
        rules.create(services, session, user, problem_set, body)
    except (InvalidRequest, InvalidSubmission) as error:
        ruled = Ruled(field, answer, typed)
        return _refused(request, services, session, problem_set, error, ruled)
    job = start_regrade(services, session, user, problem_set)
    return RedirectResponse(f"/jobs/{job.job_id}", status_code=status.HTTP_303_SEE_OTHER)


def rule_from_form(
    *, field: str, answer: str, verdict: str, credit: str, note: str, feedback: str
) -> RuleCreate:
    """The rule the form asks for; an empty credit or note is not given."""
    values: dict[str, str] = {"field": field, "answer": answer, "verdict": verdict}
    values["feedback"] = feedback.strip()
    if verdict == "partial":
        values |= {name: text.strip() for name, text in (("credit", credit), ("note", note))}
    elif note.strip():
        values["note"] = note.strip()
    try:
        return RuleCreate.model_validate({name: text for name, text in values.items() if text})
    except ValidationError as exc:
        raise InvalidRequest(_problem(exc), fields=[_where(exc)]) from None


def _problem(exc: ValidationError) -> str:
    messages = {
        "verdict": "Choose whether the answer is correct or a named mistake.",
        "credit": "The credit is a number from 0 to 1, below 1 for a named mistake.",
        "note": "A named mistake needs a name of at most 100 characters.",
        "feedback": "Write the feedback students read, at most 2,000 characters.",
    }
    return messages.get(_where(exc), "Rule on a common answer shown on this page.")


def _where(exc: ValidationError) -> str:
    location = exc.errors()[0]["loc"]
    return str(location[0]) if location else "answer"


def _refused(
    request: Request,
    services: Services,
    session: Session,
    problem_set: str,
    error: InvalidRequest | InvalidSubmission,
    ruled: Ruled,
) -> Response:
    page = views.stats_page(services, session, problem_set)
    context = {"page": page, "formats": EXPORT_FORMATS, "rule_error": error, "ruled": ruled}
    return render(request, "stats.html", context, status_code=error.status)
