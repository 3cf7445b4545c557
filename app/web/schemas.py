"""What the pages show, assembled from the services' own schemas."""

from pydantic import BaseModel

from app.problemsets.schemas import ProblemSetPublic, ProblemSetSummary
from app.submissions.schemas import FieldGradePublic, SubmissionPublic, SubmissionSummary


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


class SubmissionView(BaseModel):
    """A stored submission as its page shows it."""

    submission: SubmissionPublic
    title: str
    fields: list[FieldOutcome]
