"""Importing a class file from the browser: the page with its form (whose script sends the file
to the API's import route, with upload progress, then the job's progress in place), and the
form's own route for a browser without script, which answers with the job's page.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import RedirectResponse

from app.batches.endpoints import accept_class_file, start_upload
from app.deps import ServicesDep, SessionDep
from app.errors import DomainError, UnknownProblemSet
from app.problemsets.endpoints import ProblemSetId
from app.services import Services
from app.uploads import Upload, received_from
from app.web import instructor_views as views
from app.web.deps import PageRoute, WebInstructor
from app.web.guards import CsrfInstructor, csrf_instructor
from app.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# The form's file, read once the instructor's session and CSRF token are checked.
ClassFile = Annotated[Upload, Depends(received_from(csrf_instructor), scope="function")]


@router.get("/sets/{problem_set}/batch")
def batch_page(
    request: Request, problem_set: ProblemSetId, services: ServicesDep, _user: WebInstructor
) -> Response:
    """The form that imports a class file, with what a class file holds."""
    return _page(request, services, problem_set)


@router.post("/sets/{problem_set}/batch", dependencies=[Depends(accept_class_file)])
def import_from_form(
    request: Request,
    problem_set: ProblemSetId,
    user: CsrfInstructor,
    upload: ClassFile,
    services: ServicesDep,
    session: SessionDep,
) -> Response:
    """Queue the import and go to its job's page; a refused file shows the form again."""
    try:
        job = start_upload(services, session, user, problem_set, upload)
    except UnknownProblemSet:
        raise
    except DomainError as error:
        return _page(request, services, problem_set, error=error)
    return RedirectResponse(f"/jobs/{job.job_id}", status_code=status.HTTP_303_SEE_OTHER)


def _page(
    request: Request,
    services: Services,
    problem_set: str,
    *,
    error: DomainError | None = None,
) -> Response:
    summary = views.summary_of(services, problem_set)
    context = {"summary": summary, "error": error}
    return render(request, "batch.html", context, status_code=error.status if error else 200)
