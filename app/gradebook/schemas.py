"""The grade book as a table, for CSV (plain or Canvas) and JSON exports."""

from datetime import datetime

from pydantic import BaseModel, Field


class QuestionColumn(BaseModel):
    """One question's column: its id, title and points possible."""

    id: str
    title: str
    points: float


class GradebookRow(BaseModel):
    """One student: the score of each question and the total, after the counting policy and
    late factors; None where nothing of theirs counts."""

    student_id: str
    name: str
    login: str | None
    revoked: bool
    scores: dict[str, float | None] = Field(description="Question id -> score.")
    total: float | None
    late: bool
    submitted_at: datetime | None = Field(description="When the counted work was submitted.")


class Gradebook(BaseModel):
    """Every student of the course, one row each, in a stable order (name, then id)."""

    problem_set: str
    title: str
    counts: str
    questions: list[QuestionColumn]
    max_total: float
    rows: list[GradebookRow]
