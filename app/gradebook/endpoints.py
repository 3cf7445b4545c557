"""Grade-book routes: what counts per student, and the grade book as a table (CSV or JSON)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from app.deps import Instructor, ServicesDep, SessionDep
from app.gradebook import counting, service
from app.gradebook.export import EXPORTS
from app.gradebook.schemas import CountedGrades, Gradebook
from app.problemsets.endpoints import ProblemSetId

router = APIRouter(tags=["gradebook"])

ExportFormat = Literal["csv", "canvas", "json"]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


@router.get("/problem-sets/{problem_set}/grades")
def grades(
    problem_set: ProblemSetId, services: ServicesDep, session: SessionDep, _user: Instructor
) -> CountedGrades:
    """Per student, the submission that counts (latest or best, after late factors)."""
    return counting.counted_grades(services, session, problem_set)


@router.get(
    "/problem-sets/{problem_set}/gradebook",
    response_model=Gradebook,
    responses={200: {"content": {"text/csv": {}}}},
)
def gradebook(
    problem_set: ProblemSetId,
    services: ServicesDep,
    session: SessionDep,
    _user: Instructor,
    export_format: Annotated[
        ExportFormat,
        Query(alias="format", description="csv (plain), canvas (Canvas's import) or json."),
    ] = "csv",
) -> Gradebook | Response:
    """Every student's score per question and total under the policy, as a CSV file or JSON."""
    book = service.build(services, session, problem_set)
    if export_format == "json":
        return book
    write, suffix = EXPORTS[export_format]
    filename = f"{book.problem_set}-{suffix}.csv"
    return Response(
        write(book),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
