"""Regrade requests on the pages: a student's form per field of their counted submission, and
the instructors' page of requests, each open one with its two answers (override, no change).

The forms are read into the API's own schemas, so a page refuses exactly what the API does.
"""

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from app.db.models import RegradeRequestStatus, User
from app.deps import ServicesDep, SessionDep
from app.errors import DomainError, InvalidRequest
from app.regrade_requests import service
from app.regrade_requests.repository import Filters
from app.regrade_requests.schemas import RegradeAnswer, RegradeRequestCreate, SubmissionRequests
from app.services import Services
from app.submissions.endpoints import ID_PATTERN
from app.web import service as pages
from app.web.deps import CsrfUser, PageRoute, WebInstructor, error_page
from app.web.guards import CsrfInstructor
from app.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

REQUESTS_PATH = "/regrade-requests"
RecordId = Annotated[str, Path(pattern=ID_PATTERN)]
ANSWER: TypeAdapter[Any] = TypeAdapter(RegradeAnswer)
MAX_FORM_TEXT = 20_000
"""Characters a form field may bring; the schemas bound what is kept more tightly."""
FormText = Annotated[str, Form(max_length=MAX_FORM_TEXT)]
OUTCOMES = ("override", "no_change")
StatusChoice = Literal["open", "closed", "any"]


@dataclass(frozen=True, slots=True)
class RegradeBlock:
    """What a submission page shows of regrade requests, with a refused form's error."""

    requests: SubmissionRequests
    max_message: int
    error: DomainError | None = None
    field: str = ""
    typed: str = ""


def block(
    services: Services,
    session: Session,
    user: User,
    submission_id: str,
    *,
    error: DomainError | None = None,
    field: str = "",
    typed: str = "",
) -> RegradeBlock:
    """The submission page's regrade requests, per field."""
    requests = service.on_submission(services, session, user, submission_id)
    limit = services.settings.max_regrade_message_chars
    return RegradeBlock(requests, limit, error=error, field=field, typed=typed)


@router.post("/submissions/{submission_id}/regrade-requests")
def open_request(
    request: Request,
    submission_id: RecordId,
    services: ServicesDep,
    session: SessionDep,
    user: CsrfUser,
    field: FormText = "",
    message: FormText = "",
) -> Response:
    """Open a request on one field, then back to the submission; a refusal keeps the text."""
    try:
        services.limiter.hit(service.RATE_SCOPE, user.id)
        body = _read(lambda: RegradeRequestCreate(field=field, message=message))
        service.open_request(services, session, user, submission_id, body)
    except DomainError as error:
        view = pages.submission_view(services, session, user, submission_id)
        if field not in {outcome.grade.field for outcome in view.fields}:
            # No field's form to show it beside: a crafted form, or the submission's own 404.
            return error_page(request, error)
        regrade = block(
            services, session, user, submission_id, error=error, field=field, typed=message
        )
        context = {"view": view, "regrade": regrade}
        response = render(request, "submission.html", context, status_code=error.status)
        response.headers.update(error.headers)
        return response
    return RedirectResponse(f"/submissions/{submission_id}#regrade-{field}", status_code=303)


@dataclass(frozen=True, slots=True)
class Refused:
    """An answer form the service refused: which request, the error, what was typed."""

    request_id: str
    error: DomainError
    typed: dict[str, str] = field(default_factory=dict)


@router.get(REQUESTS_PATH)
def requests_page(
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    user: WebInstructor,
    problem_set: Annotated[str, Query(max_length=100)] = "",
    field: Annotated[str, Query(max_length=100)] = "",
    shown: Annotated[StatusChoice, Query(alias="status")] = "open",
    answered: Annotated[str, Query(pattern=f"{ID_PATTERN[:-1]}|^$")] = "",
) -> Response:
    """The regrade requests, oldest first (the open ones by default), filtered by problem set,
    field and status."""
    filters = Filters(
        problem_set=problem_set or None,
        field=field or None,
        status=None if shown == "any" else RegradeRequestStatus(shown),
    )
    return _page(request, services, session, user, filters, answered=answered)


@router.post(REQUESTS_PATH + "/{request_id}/answer")
def answer_request(
    request: Request,
    request_id: RecordId,
    services: ServicesDep,
    session: SessionDep,
    user: CsrfInstructor,
    outcome: FormText = "",
    score: FormText = "",
    verdict: FormText = "",
    comment: FormText = "",
    reply: FormText = "",
) -> Response:
    """Answer one request, then back to the open requests; a refusal keeps what was typed."""
    typed = {"outcome": outcome, "score": score, "verdict": verdict, "comment": comment}
    typed["reply"] = reply
    try:
        body = _read(lambda: ANSWER.validate_python(_answer_form(typed)))
        service.answer(session, user, request_id, body)
    except DomainError as error:
        filters = Filters(status=RegradeRequestStatus.OPEN)
        refused = Refused(request_id, error, typed)
        return _page(request, services, session, user, filters, refused=refused)
    return RedirectResponse(f"{REQUESTS_PATH}?answered={request_id}", status_code=303)


def _answer_form(typed: dict[str, str]) -> dict[str, object]:
    """The fields of the chosen answer, as the API's schema reads them."""
    if typed["outcome"] == "override":
        chosen: dict[str, object] = {"outcome": "override", "score": typed["score"] or None}
        chosen["comment"] = typed["comment"]
        if typed["verdict"]:
            chosen["verdict"] = typed["verdict"]
        return chosen
    return {"outcome": typed["outcome"], "reply": typed["reply"]}


def _read(parse: Any) -> Any:
    """What `parse` makes of a form; its first problem as the API's 422 otherwise."""
    try:
        return parse()
    except ValidationError as exc:
        problem = exc.errors()[0]
        # A union's tag ("override") leads the location of its fields' problems.
        where = ".".join(str(part) for part in problem["loc"] if part not in OUTCOMES)
        detail = f"{where}: {problem['msg']}" if where else str(problem["msg"])
        raise InvalidRequest(detail, fields=[where or "outcome"]) from None


def _page(
    request: Request,
    services: Services,
    session: Session,
    user: User,
    filters: Filters,
    *,
    answered: str = "",
    refused: Refused | None = None,
) -> Response:
    listed = service.listed(session, user, filters, limit=service.MAX_LISTED).items
    context = {
        "items": listed,
        "filters": filters,
        "status_choice": "any" if filters.status is None else filters.status.value,
        "problem_sets": services.catalog.ids(),
        "answered": service.one(session, user, answered) if answered else None,
        "refused": refused,
    }
    code = refused.error.status if refused else 200
    return render(request, "regrade_requests.html", context, status_code=code)
