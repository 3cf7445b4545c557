"""A problem set's statistics page with its downloads (grade book, report), the regrade form,
and the page of a job an instructor started (an import, a regrade), which works without
script: its "Refresh" link renders the job again, and its script only saves the clicks.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import RedirectResponse

from app.batches.schemas import BATCH_JOB
from app.deps import ServicesDep, SessionDep
from app.jobs.endpoints import ID_PATTERN
from app.problemsets.endpoints import ProblemSetId
from app.regrade.schemas import REGRADE_JOB
from app.regrade.service import start_regrade
from app.reports.render import CSP as REPORT_CSP
from app.web import instructor_views as views
from app.web.deps import PageRoute, WebInstructor
from app.web.guards import CsrfInstructor
from app.web.templating import PAGE_HEADERS, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

EXPORT_FORMATS = (
    ("csv", "Grade book (CSV)"),
    ("canvas", "Grade book for Canvas (CSV)"),
    ("json", "Grade book (JSON)"),
)


@router.get("/sets/{problem_set}/stats")
def statistics(
    request: Request,
    problem_set: ProblemSetId,
    services: ServicesDep,
    session: SessionDep,
    _user: WebInstructor,
) -> Response:
    """Charts, verdicts per field and common wrong answers; downloads; the regrade form."""
    page = views.stats_page(services, session, problem_set)
    context = {"page": page, "formats": EXPORT_FORMATS}
    return render(request, "stats.html", context)


@router.get("/sets/{problem_set}/gradebook")
def gradebook(
    problem_set: ProblemSetId,
    services: ServicesDep,
    session: SessionDep,
    _user: WebInstructor,
    export_format: Annotated[views.ExportFormat, Query(alias="format")] = "csv",
) -> Response:
    """The grade book as a file to save, exactly as the API exports it."""
    return _attachment(views.gradebook_file(services, session, problem_set, export_format))


@router.get("/sets/{problem_set}/report")
def report(
    problem_set: ProblemSetId, services: ServicesDep, session: SessionDep, _user: WebInstructor
) -> Response:
    """The self-contained HTML report, as a file to save, under its own policy."""
    response = _attachment(views.report_file(services, session, problem_set))
    # The report's own policy (inline styles, data images, no script), not the pages'.
    response.headers["Content-Security-Policy"] = REPORT_CSP
    return response


@router.post("/sets/{problem_set}/regrade")
def regrade(
    problem_set: ProblemSetId, services: ServicesDep, session: SessionDep, user: CsrfInstructor
) -> Response:
    """Reload the problem files, queue the regrade and follow it on its job's page."""
    job = start_regrade(services, session, user, problem_set)
    return RedirectResponse(f"/jobs/{job.job_id}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/jobs/{job_id}")
def job(
    request: Request,
    job_id: Annotated[str, Path(pattern=ID_PATTERN)],
    services: ServicesDep,
    session: SessionDep,
    user: WebInstructor,
) -> Response:
    """Where an import or a regrade stands; once done, its summary and whose grade changed."""
    page = views.job_page(services, session, user, job_id)
    context = {"page": page, "batch_kind": BATCH_JOB, "regrade_kind": REGRADE_JOB}
    return render(request, "job.html", context)


def _attachment(download: views.Download) -> Response:
    headers = {
        **PAGE_HEADERS,
        "Content-Disposition": f'attachment; filename="{download.filename}"',
        "X-Content-Type-Options": "nosniff",
    }
    return Response(download.content, media_type=download.media_type, headers=headers)
