"""Report routes: the statistics of a problem set as a self-contained HTML file."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.deps import Instructor, ServicesDep, SessionDep
from app.problemsets.endpoints import ProblemSetId
from app.reports import service
from app.reports.render import CSP

router = APIRouter(tags=["reports"])


@router.get(
    "/problem-sets/{problem_set}/report",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}, "description": "The report, as a download."}},
)
def report(
    problem_set: ProblemSetId, services: ServicesDep, session: SessionDep, _user: Instructor
) -> HTMLResponse:
    """Charts and tables of the answers: totals, verdicts per field, common wrong answers."""
    html = service.report(services, session, problem_set)
    headers = {
        "Content-Disposition": f'attachment; filename="{service.filename(problem_set)}"',
        # The same policy as the file's own meta tag, for a browser that opens it in place.
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
    }
    return HTMLResponse(html, headers=headers)
