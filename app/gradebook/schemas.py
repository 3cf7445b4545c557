"""The grade book as a table, for CSV (plain or Canvas) and JSON exports."""

from datetime import datetime
from typing import Literal

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
    overridden: list[str] = Field(
        default=[], description="The counted fields whose score an instructor's override sets."
    )


class Gradebook(BaseModel):
    """Every student of the course, one row each, in a stable order (name, then id)."""

    problem_set: str
    title: str
    counts: str
    questions: list[QuestionColumn]
    max_total: float
    rows: list[GradebookRow]


class GradePublic(BaseModel):
    """What counts for one student: the answers submission that counts, plus per model-upload
    field the evaluated checkpoint that counts; nulls when they have submitted nothing."""

    student_id: str
    name: str
    submission_id: str | None = None
    score: float | None = Field(
        default=None, description="The answers submission's score plus every checkpoint's."
    )
    checkpoints: dict[str, float] = Field(
        default={}, description="Model-upload field -> the score of the checkpoint that counts."
    )
    max_total: float | None = None
    late: bool | None = None
    created_at: datetime | None = None


class CountedGrades(BaseModel):
    """Every student's counting submission for one problem set."""

    problem_set: str
    counts: Literal["latest", "best"]
    grades: list[GradePublic]
