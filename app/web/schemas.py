"""What the pages show, assembled from the services' own schemas."""

from typing import Annotated, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from app.jobs.schemas import JobPublic
from app.overrides.schemas import OverrideInForce
from app.problemsets.schemas import ProblemSetPublic, ProblemSetSummary
from app.stats.schemas import ProblemSetStats
from app.submissions.schemas import FieldGradePublic, SubmissionPublic, SubmissionSummary
from app.users.schemas import StudentPublic


class SetRow(BaseModel):
    """One problem set in the list: what it is, when it is due, what counts so far."""

    summary: ProblemSetSummary
    score: float | None
    """The counted score of the signed-in student; None before any work counts."""
    past_due: bool


class SetPage(BaseModel):
    """A problem set with the student's numbers, their answers so far and their attempts."""

    problem_set: ProblemSetPublic
    score: float | None
    past_due: bool
    answers: dict[str, str]
    """What each answer box holds: the latest answers, or what was just typed."""
    attempts: list[SubmissionSummary]
    """Newest first."""


class FieldOutcome(BaseModel):
    """One graded answer with the prompt it answered."""

    grade: FieldGradePublic
    prompt: str | None
    """None when the problem set no longer has this field."""
    upload: bool
    """A model upload, whose `parsed` is a line of Markdown rather than one formula."""
    override: OverrideInForce | None = None
    """The instructor's override in force, shown in place of the automatic score."""


class SubmissionView(BaseModel):
    """A stored submission as its page shows it."""

    submission: SubmissionPublic
    title: str
    fields: list[FieldOutcome]
    student: StudentPublic | None = None
    """Whose it is, on an instructor's view."""


# The instructor pages' views.

ID_OR_EMPTY = r"^[0-9a-f-]{0,36}$"
MAX_PAGE_NUMBER = 10_000


class ClassworkFilters(BaseModel):
    """The submissions table's filters, from its query string; empty means any."""

    student: Annotated[str, Field(pattern=ID_OR_EMPTY)] = ""
    late: Literal["", "late", "on-time"] = ""
    score: Literal["", "full", "some", "none"] = ""
    page: Annotated[int, Field(ge=1, le=MAX_PAGE_NUMBER)] = 1

    def narrows(self) -> bool:
        """Whether a filter other than the student is set."""
        return bool(self.late or self.score)

    def query(self, **changes: str | int) -> str:
        """The query string of these filters with some changed, blanks left out."""
        values = {**self.model_dump(), **changes}
        if values["page"] == 1:
            del values["page"]
        return urlencode({key: value for key, value in values.items() if value != ""})


class ClassworkRow(BaseModel):
    """One submission of the table and whose it is (None: not a student's, an instructor's)."""

    submission: SubmissionSummary
    student: StudentPublic | None


class ClassworkPage(BaseModel):
    """A page of the submissions to one problem set, newest first, filtered."""

    problem_set: ProblemSetSummary
    students: list[StudentPublic]
    """Every student, for the student filter."""
    filters: ClassworkFilters
    rows: list[ClassworkRow]
    has_next: bool


class HistorySet(BaseModel):
    """A student's work on one problem set: what counts and their submissions, newest first."""

    summary: ProblemSetSummary
    counted: float | None
    attempts: list[SubmissionSummary]
    more: bool
    """Whether older submissions exist beyond the listed ones."""
    submission: SubmissionPublic | None = None
    """The answers submission that counts, with each field's grade and override in force."""


class HistoryPage(BaseModel):
    """One student and their work on every problem set."""

    student: StudentPublic
    sets: list[HistorySet]


class OverrideTyped(BaseModel):
    """What an override form held when it was refused, to show it again as typed."""

    submission_id: str
    field: str
    removal: bool = False
    """The removal form, rather than the one that sets a score."""
    score: str = ""
    comment: str = ""
    reason: str = ""


class ChartView(BaseModel):
    """A chart of the statistics page: an SVG data URI and its text alternative."""

    id: str
    caption: str
    uri: str
    alt: str


class StatsPage(BaseModel):
    """The statistics of a problem set with its charts."""

    stats: ProblemSetStats
    charts: list[ChartView]


class JobPage(BaseModel):
    """A job an instructor started (an import, a regrade) and the problem set's title."""

    job: JobPublic
    title: str
