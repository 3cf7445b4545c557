"""The class at a glance: the problem sets with their instructor pages, every submission to one
problem set (filtered, a page at a time), and one student's work (app/web/overrides.py posts
its override forms)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.orm import Session

from app.db.models import User
from app.deps import ServicesDep, SessionDep
from app.errors import InvalidRequest
from app.overrides.schemas import MAX_COMMENT
from app.problemsets import service as problem_sets
from app.problemsets.endpoints import ProblemSetId
from app.services import Services
from app.web import instructor_views as views
from app.web.deps import PageRoute, WebInstructor
from app.web.roster import StudentId
from app.web.schemas import ClassworkFilters, OverrideTyped
from app.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/classwork")
def overview(request: Request, services: ServicesDep, _user: WebInstructor) -> Response:
    """Every problem set, with links to its submissions, statistics, imports and grade book."""
    summaries = problem_sets.list_problem_sets(services.catalog)
    return render(request, "classwork.html", {"summaries": summaries})


@router.get("/classwork/{problem_set}")
def submissions(
    request: Request,
    problem_set: ProblemSetId,
    filters: Annotated[ClassworkFilters, Query()],
    services: ServicesDep,
    session: SessionDep,
    user: WebInstructor,
) -> Response:
    """The submissions to a problem set, newest first, by student, lateness and score."""
    page = views.classwork(services, session, user, problem_set, filters)
    return render(request, "submissions.html", {"page": page})


@router.get("/students/{student_id}")
def student(
    request: Request,
    student_id: StudentId,
    services: ServicesDep,
    session: SessionDep,
    user: WebInstructor,
    changed: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """One student: their details, their submissions to every problem set, and the fields of
    the submission that counts with the forms that override them; a notice after a change."""
    return history_response(request, services, session, user, student_id, changed=changed)


def history_response(
    request: Request,
    services: Services,
    session: Session,
    user: User,
    student_id: str,
    *,
    changed: str = "",
    error: InvalidRequest | None = None,
    typed: OverrideTyped | None = None,
) -> Response:
    """A student's page; after a refused override form, with the refusal and what was typed."""
    page = views.history(services, session, user, student_id)
    listed = {grade.field for one in page.sets if one.submission for grade in one.submission.fields}
    context = {
        "page": page,
        # Only a field the page lists: the query string is anyone's to write.
        "changed": changed if changed in listed else "",
        "error": error,
        "typed": typed,
        "max_comment": MAX_COMMENT,
    }
    code = error.status if error else status.HTTP_200_OK
    return render(request, "student.html", context, status_code=code)
