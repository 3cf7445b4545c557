"""The roster page: every student, adding one, importing a CSV roster, giving a student a new
token, revoking a token.

A new token is on the page that answers the form and nowhere else, as in the API. Giving a new
token and revoking ask first, on a page of their own, so that they need no script.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response, status
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from app.deps import SessionDep
from app.errors import InvalidRequest
from app.submissions.endpoints import ID_PATTERN
from app.uploads import Upload, received_from
from app.users.schemas import StudentIssued, StudentPublic
from app.web import instructor_views as views
from app.web.deps import PageRoute, WebInstructor
from app.web.guards import CsrfInstructor, csrf_instructor
from app.web.schemas import ID_OR_EMPTY
from app.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

StudentId = Annotated[str, Path(pattern=ID_PATTERN)]
ROSTER_PATH = "/roster"


@router.get(ROSTER_PATH)
def roster(
    request: Request,
    session: SessionDep,
    _user: WebInstructor,
    revoked: Annotated[str, Query(pattern=ID_OR_EMPTY)] = "",
) -> Response:
    """Every student, with the forms that add students; a notice after a revocation."""
    return _roster(request, session, revoked=revoked)


@router.post("/roster/students")
def add_student(
    request: Request,
    session: SessionDep,
    _user: CsrfInstructor,
    name: Annotated[str, Form()] = "",
    login: Annotated[str, Form()] = "",
) -> Response:
    """Create one student and show their token, once; a refusal keeps what was typed."""
    try:
        issued = views.add_student(session, name=name, login=login)
    except InvalidRequest as error:
        return _roster(request, session, error=error, typed={"name": name, "login": login})
    return _tokens(request, [issued])


@router.post("/roster/import")
def import_roster(
    request: Request,
    session: SessionDep,
    _user: CsrfInstructor,
    upload: Annotated[Upload, Depends(received_from(csrf_instructor), scope="function")],
) -> Response:
    """Create every student of a CSV roster and show their tokens, once; or create none."""
    try:
        issued = views.import_roster(session, upload.file.read())
    except InvalidRequest as error:
        return _roster(request, session, error=error, refused_import=True)
    return _tokens(request, issued)


@router.get("/roster/{student_id}/revoke")
def confirm_revoke(
    request: Request, student_id: StudentId, session: SessionDep, _user: WebInstructor
) -> Response:
    """Ask before revoking a student's token."""
    return _confirm(request, session, student_id, "revoke.html")


@router.post("/roster/{student_id}/revoke")
def revoke(student_id: StudentId, session: SessionDep, _user: CsrfInstructor) -> Response:
    """Revoke the token, then back to the roster, which says so."""
    student = views.revoke(session, student_id)
    return RedirectResponse(f"{ROSTER_PATH}?revoked={student.id}", status_code=303)


@router.get("/roster/{student_id}/token")
def confirm_reissue(
    request: Request, student_id: StudentId, session: SessionDep, _user: WebInstructor
) -> Response:
    """Ask before replacing a student's token (a revoked student is told they get none)."""
    return _confirm(request, session, student_id, "reissue.html")


def _confirm(request: Request, session: Session, student_id: str, template: str) -> Response:
    """The page that asks before an action on one student's token."""
    student = StudentPublic.of(views.student_of(session, student_id))
    return render(request, template, {"student": student})


@router.post("/roster/{student_id}/token")
def reissue(
    request: Request, student_id: StudentId, session: SessionDep, _user: CsrfInstructor
) -> Response:
    """Replace the token and show the new one, once."""
    issued = views.reissue(session, student_id)
    return _tokens(request, [issued], reissued=True)


def _roster(
    request: Request,
    session: Session,
    *,
    revoked: str = "",
    error: InvalidRequest | None = None,
    typed: dict[str, str] | None = None,
    refused_import: bool = False,
) -> Response:
    students = views.roster(session)
    context = {
        "students": students,
        "revoked": next((s for s in students if s.id == revoked and s.revoked), None),
        "error": error,
        "refused_import": refused_import,
        "typed": typed or {"name": "", "login": ""},
    }
    code = error.status if error else status.HTTP_200_OK
    return render(request, "roster.html", context, status_code=code)


def _tokens(request: Request, issued: list[StudentIssued], *, reissued: bool = False) -> Response:
    # A new token for a student already there creates nothing: 200, not 201.
    code = status.HTTP_200_OK if reissued else status.HTTP_201_CREATED
    context = {"students": issued, "reissued": reissued}
    return render(request, "tokens.html", context, status_code=code)
