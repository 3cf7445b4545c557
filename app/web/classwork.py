"""The class at a glance: the problem sets with their instructor pages, every submission to one
problem set (filtered, a page at a time), and one student's work."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.deps import ServicesDep, SessionDep
from app.problemsets import service as problem_sets
from app.problemsets.endpoints import ProblemSetId
from app.web import instructor_views as views
from app.web.deps import PageRoute, WebInstructor
from app.web.roster import StudentId
from app.web.schemas import ClassworkFilters
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
) -> Response:
    """One student: their details and their submissions to every problem set."""
    page = views.history(services, session, user, student_id)
    return render(request, "student.html", {"page": page})
