"""What grading one field or one submission produces."""

from enum import StrEnum

from pydantic import BaseModel, Field


class Verdict(StrEnum):
    """How an answer fared; `invalid` means it could not be understood, not that it was wrong."""

    CORRECT = "correct"
    PARTIAL = "partial"
    INCORRECT = "incorrect"
    INVALID = "invalid"


class FieldResult(BaseModel):
    """The graded outcome of one answer field."""

    field: str
    verdict: Verdict
    score: float = Field(ge=0)
    max_score: float = Field(ge=0)
    feedback: str
    parsed: str | None = None
    note: str | None = None
    """The answer note, for instructors: the name of the known mistake the answer matched."""


class SubmissionResult(BaseModel):
    """The graded outcome of a whole submission to one problem set."""

    problem_set: str
    total: float
    max_total: float
    fields: list[FieldResult]
