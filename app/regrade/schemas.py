"""What a regrade reports: whose grade changed, field by field."""

from pydantic import BaseModel, Field


class FieldChange(BaseModel):
    """One field whose counted score changed."""

    field: str
    old: float | None = Field(description="Score before; None where nothing counted.")
    new: float | None


class StudentChange(BaseModel):
    """A student whose grade-book entry changed."""

    student_id: str
    name: str
    login: str | None = None
    old_score: float | None
    new_score: float | None
    fields: list[FieldChange]


class RegradeOutcome(BaseModel):
    """A regrade's result: what it used and whose grades changed."""

    problem_set: str
    engine_version: str
    problem_hash: str
    reference_hash: str
    submissions: int = Field(description="Submissions regraded.")
    changed_submissions: int = Field(description="Submissions with at least one new field score.")
    students: list[StudentChange] = Field(description="Students whose grade changed, by name.")


REGRADE_JOB = "submissions.regrade"
