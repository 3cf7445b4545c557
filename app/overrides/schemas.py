"""What an override is sent as and shown as."""

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.grading.result import Verdict

MAX_COMMENT = 2000
"""Characters of an override's comment or a removal's reason."""
# PostgreSQL text cannot hold NUL, and no database encodes a lone surrogate.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_TEXT = "holds a NUL character or a lone surrogate, which cannot be stored"


def _storable(text: str) -> str:
    if UNSTORABLE.search(text):
        raise ValueError(UNSTORABLE_TEXT)
    return text


Comment = Annotated[str, Field(min_length=1, max_length=MAX_COMMENT), AfterValidator(_storable)]
"""A comment or a reason: plain text an instructor typed, as it will be stored."""


class OverrideBase(BaseModel):
    """A field's score and verdict set by an instructor, with a comment the student reads."""

    model_config = ConfigDict(extra="forbid")

    score: float = Field(ge=0, allow_inf_nan=False, description="Points, at most the field's.")
    verdict: Verdict | None = Field(
        default=None, description="Left out: correct at full points, incorrect at 0, else partial."
    )
    comment: Comment


class OverrideCreate(OverrideBase):
    """An override to put in force."""


class OverrideRemoval(BaseModel):
    """Why an override is taken away."""

    model_config = ConfigDict(extra="forbid")

    reason: Comment


class OverridePublic(OverrideBase):
    """One override, in force or not, with who set it, when, and what it replaced."""

    id: str
    submission_id: str
    field: str
    verdict: Verdict | None
    previous_score: float
    previous_verdict: str
    set_by: str
    set_at: datetime
    in_force: bool
    removed_at: datetime | None
    removed_by: str | None
    removal_reason: str | None


class OverrideHistory(BaseModel):
    """Every override of a submission, oldest first."""

    submission_id: str
    overrides: list[OverridePublic]


class OverrideInForce(BaseModel):
    """The override in force on one field, as the submission shows it beside the automatic
    grade: the score and verdict that count, the comment, who set it and when."""

    score: float
    verdict: Verdict
    comment: str
    set_by: str
    """The instructor's id."""
    set_by_name: str
    set_at: datetime
