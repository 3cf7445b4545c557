"""Importing a class file from the browser: the page with its form, the call its script makes
(upload progress, then the job's progress in place), and the form's own route for a browser
without script, which answers with the job's page.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile, status
from fastapi.responses import RedirectResponse

from app.batches.endpoints import require_multipart
from app.batches.service import start_import
from app.deps import ServicesDep, SessionDep
from app.errors import DomainError, UnknownProblemSet
from app.jobs.schemas import JobAccepted
from app.problemsets.endpoints import ProblemSetId
from app.services import Services
from app.web import instructor_views as views
from app.web.deps import PageRoute, WebInstructor
from app.web.guards import CsrfInstructor
from app.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
calls = APIRouter(prefix="/ui", include_in_schema=False)

UI_BATCH_UPLOAD_PATH = r"/ui/problem-sets/[^/]+/batches"
PAGE_BATCH_UPLOAD_PATH = r"/sets/[^/]+/batch"
"""The two import routes, as patterns for the body-size limit (the class-file limit)."""

ClassFile = Annotated[UploadFile, File()]
CreateStudents = Annotated[bool, Form()]
PublishedNumbers = Annotated[bool, Form()]


@router.get("/sets/{problem_set}/batch")
def batch_page(
    request: Request, problem_set: ProblemSetId, services: ServicesDep, _user: WebInstructor
) -> Response:
    """The form that imports a class file, with what a class file holds."""
    return _page(request, services, problem_set)


@router.post("/sets/{problem_set}/batch", dependencies=[Depends(require_multipart)])
def import_from_form(
    request: Request,
    problem_set: ProblemSetId,
    file: ClassFile,
    services: ServicesDep,
    session: SessionDep,
    user: CsrfInstructor,
    create_students: CreateStudents = False,
    published_numbers: PublishedNumbers = False,
) -> Response:
    """Queue the import and go to its job's page; a refused file shows the form again."""
    try:
        job = start_import(
            services,
            session,
            user,
            problem_set,
            file.file,
            file.filename,
            create_students=create_students,
            published_numbers=published_numbers,
        )
    except UnknownProblemSet:
        raise
    except DomainError as error:
        return _page(request, services, problem_set, error=error)
    return RedirectResponse(f"/jobs/{job.job_id}", status_code=status.HTTP_303_SEE_OTHER)


@calls.post(
    "/problem-sets/{problem_set}/batches",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(require_multipart)],
)
def import_class(
    problem_set: ProblemSetId,
    file: ClassFile,
    services: ServicesDep,
    session: SessionDep,
    user: CsrfInstructor,
    create_students: CreateStudents = False,
    published_numbers: PublishedNumbers = False,
) -> JobAccepted:
    """Store a class file and queue its import, as the API's route; the page polls the job."""
    return start_import(
        services,
        session,
        user,
        problem_set,
        file.file,
        file.filename,
        create_students=create_students,
        published_numbers=published_numbers,
    )


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
