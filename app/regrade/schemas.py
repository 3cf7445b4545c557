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


class BeneathOverride(BaseModel):
    """An overridden field whose automatic grade the regrade changed; the override stays."""

    submission_id: str
    student_id: str
    name: str
    field: str
    old: float = Field(description="The automatic score before.")
    new: float = Field(description="The automatic score now.")
    override: float = Field(description="The score in force, set by the override.")


class RegradeOutcome(BaseModel):
    """A regrade's result: what it used and whose grades changed."""

    problem_set: str
    engine_version: str
    problem_hash: str
    reference_hash: str
    submissions: int = Field(description="Submissions regraded.")
    changed_submissions: int = Field(description="Submissions with at least one new field score.")
    students: list[StudentChange] = Field(description="Students whose grade changed, by name.")
    beneath_overrides: list[BeneathOverride] = Field(
        default_factory=list,
        description="Overridden fields whose automatic grade changed; the overrides stay.",
    )


REGRADE_JOB = "submissions.regrade"
