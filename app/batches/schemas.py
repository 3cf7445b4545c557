"""What the class-import routes take and what an import job reports."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_REPORTED_ERRORS = 200
"""Bad rows listed in an import's result; `failed` counts them all."""


class ImportOptions(BaseModel):
    """The form that comes with a class file (multipart/form-data, besides `file`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    create_students: bool = Field(
        default=False, description="Create a student for every name the course does not know."
    )
    published_numbers: bool = Field(
        default=False, description="Grade every row against the published numbers."
    )


class BadRow(BaseModel):
    """A row that was not imported, and why, in words a student's instructor can act on."""

    line: int = Field(description="Line of the class file (the CSV header is line 1).")
    student: str | None = Field(default=None, description="The row's student, when it had one.")
    reason: str


class BatchOutcome(BaseModel):
    """An import's result; while it runs, the same shape with `done` below `total`."""

    problem_set: str
    format: Literal["jsonl", "csv", "zip"]
    total: int = Field(description="Rows in the file, good and bad.")
    done: int = Field(description="Rows handled so far: stored, unchanged or failed.")
    stored: int = Field(description="Rows stored as new submissions.")
    unchanged: int = Field(description="Rows imported before with the same answers: not stored.")
    failed: int = Field(description="Bad rows.")
    created_students: int = Field(description="Students created for unknown names.")
    evaluations: list[str] = Field(
        default=[], description="Ids of the checkpoint evaluation jobs queued for model files."
    )
    errors: list[BadRow] = Field(
        default=[], description=f"The first {MAX_REPORTED_ERRORS} bad rows, by line."
    )


BATCH_JOB = "batches.import"
