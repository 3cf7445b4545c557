"""The override forms of a student's page: set a field's score with a comment, or remove the
override with a reason; then back to the student's page, or that page with the refusal."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from app.deps import ServicesDep, SessionDep
from app.errors import InvalidRequest
from app.overrides.endpoints import FieldId, SubmissionId
from app.web import override_views as views
from app.web.classwork import history_response
from app.web.deps import PageRoute
from app.web.guards import CsrfInstructor
from app.web.schemas import OverrideTyped

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.post("/submissions/{submission_id}/overrides/{field}")
def set_override(
    request: Request,
    submission_id: SubmissionId,
    field: FieldId,
    services: ServicesDep,
    session: SessionDep,
    user: CsrfInstructor,
    score: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    """Put the typed score in force over the field's automatic grade, with the comment."""
    owner = views.owner_of(session, user, submission_id)
    try:
        views.set_override(session, user, submission_id, field, score=score, comment=comment)
    except InvalidRequest as error:
        typed = OverrideTyped(
            submission_id=submission_id, field=field, score=score, comment=comment
        )
        return history_response(request, services, session, user, owner, error=error, typed=typed)
    return _back(owner, field)


@router.post("/submissions/{submission_id}/overrides/{field}/removal")
def remove_override(
    request: Request,
    submission_id: SubmissionId,
    field: FieldId,
    services: ServicesDep,
    session: SessionDep,
    user: CsrfInstructor,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Take the field's override away, with the reason; its automatic grade counts again."""
    owner = views.owner_of(session, user, submission_id)
    try:
        views.remove_override(session, user, submission_id, field, reason=reason)
    except InvalidRequest as error:
        typed = OverrideTyped(submission_id=submission_id, field=field, removal=True, reason=reason)
        return history_response(request, services, session, user, owner, error=error, typed=typed)
    return _back(owner, field)


def _back(student_id: str, field: str) -> RedirectResponse:
    query = urlencode({"changed": field})
    return RedirectResponse(f"/students/{student_id}?{query}", status_code=303)
