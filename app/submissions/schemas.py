"""What the submission routes read and return."""

from datetime import datetime

from pydantic import BaseModel, Field

from app.grading.limits import MAX_ANSWER_CHARS
from app.grading.result import FieldResult
from app.overrides.schemas import OverrideInForce
from app.problemsets.schemas import AnswersBase


class SubmissionCreate(AnswersBase):
    """Answers to grade and store; at least one."""

    answers: dict[str, str] = Field(
        min_length=1,
        description=f"Field id -> answer text (at most {MAX_ANSWER_CHARS} characters each).",
    )


class FieldGradePublic(FieldResult):
    """How one answer was graded, and the answer as it was typed."""

    answer: str
    # Answer notes are for instructors (in the statistics); a student's feedback says enough.
    note: str | None = Field(default=None, exclude=True)
    override: OverrideInForce | None = Field(
        default=None,
        description="The instructor's override in force, which counts in place of `score`.",
    )


class Provenance(BaseModel):
    """What a grade was computed with, so that a regrade can show what changed."""

    engine_version: str
    problem_hash: str
    reference_hash: str
    graded_at: datetime


class SubmissionBase(BaseModel):
    """A stored submission's scores; `score` is `total` after any late factor."""

    submission_id: str
    problem_set: str
    user_id: str
    created_at: datetime
    late: bool
    score_factor: float
    total: float
    max_total: float
    score: float


class SubmissionSummary(SubmissionBase):
    """One entry of a submission list."""


class SubmissionPublic(SubmissionBase):
    """A stored submission with the result of every answer, in the problem set's order."""

    fields: list[FieldGradePublic]
    provenance: Provenance


class SubmissionPage(BaseModel):
    """A page of submissions, newest first."""

    items: list[SubmissionSummary]
    limit: int
    offset: int
