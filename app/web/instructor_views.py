"""What the instructor pages show, from the same services the API calls; no SQL, no grading."""

from dataclasses import dataclass
from typing import Literal

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.db.models import User
from app.errors import InvalidRequest, NotFound, UnknownProblemSet
from app.gradebook import service as gradebook
from app.gradebook.export import EXPORTS
from app.jobs.endpoints import queued_elsewhere
from app.jobs.public import read_job
from app.problemsets import service as problem_sets
from app.problemsets.schemas import ProblemSetSummary
from app.reports import service as reports
from app.services import Services
from app.stats.service import compute
from app.submissions import service as submissions
from app.submissions.schemas import SubmissionSummary
from app.untrusted import shown
from app.users import service as users
from app.users.roster import parse_roster
from app.users.schemas import StudentCreate, StudentIssued, StudentPublic, name_problem
from app.web.schemas import (
    ChartView,
    ClassworkFilters,
    ClassworkPage,
    ClassworkRow,
    HistoryPage,
    HistorySet,
    JobPage,
    StatsPage,
)
from app.web.service import counted_work

PAGE_SIZE = 50
HISTORY_ATTEMPTS = 20
# The table's lateness filter -> the submissions service's.
LATENESS: dict[str, bool | None] = {"": None, "late": True, "on-time": False}
ExportFormat = Literal["csv", "canvas", "json"]
CAPTIONS = {
    "chart-totals": "Totals of the students, in points.",
    "chart-shares": "Verdicts per field, as shares of the students who answered it.",
    "chart-accuracy": "Measured test accuracy of the counted model uploads.",
}


@dataclass(frozen=True, slots=True)
class Download:
    """A file the browser saves: its bytes as text, media type and name."""

    content: str
    media_type: str
    filename: str


def summary_of(services: Services, problem_set: str) -> ProblemSetSummary:
    """The list entry of one problem set; UnknownProblemSet when it is not served."""
    services.catalog.definition(problem_set)
    summaries = problem_sets.list_problem_sets(services.catalog)
    return next(summary for summary in summaries if summary.id == problem_set)


def roster(session: Session) -> list[StudentPublic]:
    """Every student, oldest first, revoked ones included."""
    return [StudentPublic.of(user) for user in users.list_students(session)]


def student_of(session: Session, student_id: str) -> User:
    """The student with this id; NotFound for anyone else."""
    for user in users.list_students(session):
        if user.id == student_id:
            return user
    raise NotFound(f"There is no student {shown(student_id)}.")


def add_student(session: Session, *, name: str, login: str) -> StudentIssued:
    """A new student from the roster form, with the only copy of their token."""
    try:
        student = StudentCreate(name=name, login=login)
    except ValidationError as exc:
        field = "login" if exc.errors()[0]["loc"][:1] == ("login",) else "name"
        raise InvalidRequest(
            f"The student was not added: {name_problem(exc)}.", fields=[field]
        ) from None
    issued = users.create_student(session, student)
    return StudentIssued.of_new(issued.user, issued.token)


def import_roster(session: Session, body: bytes) -> list[StudentIssued]:
    """The students of a CSV roster, all created with their tokens, or none."""
    entries = parse_roster(body)
    students = [entry.student for entry in entries]
    issued = users.import_students(session, students, rows=[entry.row for entry in entries])
    return [StudentIssued.of_new(one.user, one.token) for one in issued]


def revoke(session: Session, student_id: str) -> StudentPublic:
    """Revoke a student's token."""
    return StudentPublic.of(users.revoke_student(session, student_id))


def reissue(session: Session, student_id: str) -> StudentIssued:
    """A student with the only copy of their new token; a revoked student gets none."""
    issued = users.reissue_token(session, student_id)
    return StudentIssued.of_new(issued.user, issued.token)


def classwork(
    services: Services, session: Session, user: User, problem_set: str, filters: ClassworkFilters
) -> ClassworkPage:
    """A page of the submissions to a problem set, newest first, as the filters ask."""
    summary = summary_of(services, problem_set)
    students = {student.id: StudentPublic.of(student) for student in users.list_students(session)}
    items = _filtered(
        services,
        session,
        user,
        problem_set,
        filters,
        limit=PAGE_SIZE + 1,
        offset=(filters.page - 1) * PAGE_SIZE,
    )
    rows = [
        ClassworkRow(submission=item, student=students.get(item.user_id))
        for item in items[:PAGE_SIZE]
    ]
    return ClassworkPage(
        problem_set=summary,
        students=list(students.values()),
        filters=filters,
        rows=rows,
        has_next=len(items) > PAGE_SIZE,
    )


def _filtered(
    services: Services,
    session: Session,
    user: User,
    problem_set: str,
    filters: ClassworkFilters,
    *,
    limit: int,
    offset: int,
) -> list[SubmissionSummary]:
    """The newest submissions the filters keep (the database filters)."""
    page = submissions.page(
        services,
        session,
        user,
        problem_set,
        student=filters.student or None,
        limit=limit,
        offset=offset,
        late=LATENESS[filters.late],
        score=filters.score or None,
    )
    return page.items


def history(services: Services, session: Session, user: User, student_id: str) -> HistoryPage:
    """A student and, per problem set, what counts and their newest submissions."""
    student = student_of(session, student_id)
    sets = [
        _history_set(services, session, user, student, summary)
        for summary in problem_sets.list_problem_sets(services.catalog)
    ]
    return HistoryPage(student=StudentPublic.of(student), sets=sets)


def _history_set(
    services: Services, session: Session, user: User, student: User, summary: ProblemSetSummary
) -> HistorySet:
    attempts = submissions.page(
        services,
        session,
        user,
        summary.id,
        student=student.id,
        limit=HISTORY_ATTEMPTS + 1,
        offset=0,
    ).items
    counted = counted_work(services, session, student, summary.id)
    submission = None if counted is None else counted.submission
    return HistorySet(
        summary=summary,
        counted=None if counted is None else counted.total,
        attempts=attempts[:HISTORY_ATTEMPTS],
        more=len(attempts) > HISTORY_ATTEMPTS,
        submission=None if submission is None else submissions.read(session, user, submission.id),
    )


def stats_page(services: Services, session: Session, problem_set: str) -> StatsPage:
    """The statistics of a problem set and the report's charts of them."""
    # Imported here, as for the report: the server answers before matplotlib has loaded.
    from app.reports.charts import accuracy_chart, shares_chart, totals_chart

    stats = compute(services, session, problem_set)
    drawn = {
        "chart-totals": totals_chart(stats.totals, max_total=stats.max_total),
        "chart-shares": shares_chart(stats.fields),
        "chart-accuracy": accuracy_chart(stats.checkpoints),
    }
    charts = [
        ChartView(id=chart_id, caption=CAPTIONS[chart_id], uri=chart.uri, alt=chart.alt)
        for chart_id, chart in drawn.items()
        if chart is not None
    ]
    return StatsPage(stats=stats, charts=charts)


def gradebook_file(
    services: Services, session: Session, problem_set: str, export_format: ExportFormat
) -> Download:
    """The grade book as the API exports it: plain CSV, Canvas's CSV, or JSON."""
    book = gradebook.build(services, session, problem_set)
    stem = reports.UNSAFE_FILENAME_CHARS.sub("_", problem_set)
    if export_format == "json":
        return Download(book.model_dump_json(), "application/json", f"{stem}-gradebook.json")
    write, suffix = EXPORTS[export_format]
    return Download(write(book), "text/csv; charset=utf-8", f"{stem}-{suffix}.csv")


def report_file(services: Services, session: Session, problem_set: str) -> Download:
    """The self-contained HTML report of a problem set's statistics."""
    html = reports.report(services, session, problem_set)
    return Download(html, "text/html; charset=utf-8", reports.filename(problem_set))


def job_page(services: Services, session: Session, user: User, job_id: str) -> JobPage:
    """A job and the title of its problem set (its id when no longer served)."""
    elsewhere = queued_elsewhere(services)
    job = read_job(session, user, job_id, services.job_kinds, queued_elsewhere=elsewhere)
    try:
        title = services.catalog.definition(job.problem_set).title
    except UnknownProblemSet:
        title = job.problem_set
    return JobPage(job=job, title=title)
