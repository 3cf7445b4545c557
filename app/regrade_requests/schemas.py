"""What a regrade request and its answer are sent as and shown as."""

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from app.db.models import RegradeRequestStatus
from app.grading.result import Verdict
from app.overrides.schemas import MAX_COMMENT

MAX_MESSAGE_CHARS = 20_000
"""The most a message may ever hold; the setting `max_regrade_message_chars` bounds it below."""
# PostgreSQL cannot store NUL in text, and other control characters only hide what was said.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _readable(text: str) -> str:
    # A custom error, so that the message reads as written (no "Value error, " before it).
    if not text.strip():
        raise PydanticCustomError("blank_text", "it is blank; write a few words")
    if CONTROL.search(text):
        raise PydanticCustomError(
            "control_character",
            "it holds a control character; send plain text (new lines are fine)",
        )
    return text


Text = Annotated[str, Field(min_length=1), AfterValidator(_readable)]


class RegradeRequestCreate(BaseModel):
    """A student's request for a second look at one field of their counted submission."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(min_length=1, max_length=100, description="The field id.")
    message: Annotated[Text, Field(max_length=MAX_MESSAGE_CHARS)]


class OverrideAnswer(BaseModel):
    """Answer a request with an override: the score in force, and a comment the student reads."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["override"]
    score: float = Field(ge=0, allow_inf_nan=False, description="Points, at most the field's.")
    verdict: Verdict | None = Field(
        default=None, description="Left out: correct at full points, incorrect at 0, else partial."
    )
    comment: Annotated[Text, Field(max_length=MAX_COMMENT)]


class NoChangeAnswer(BaseModel):
    """Answer a request with no change to the grade, and a reply the student reads."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["no_change"]
    reply: Annotated[Text, Field(max_length=MAX_COMMENT)]


RegradeAnswer = Annotated[OverrideAnswer | NoChangeAnswer, Field(discriminator="outcome")]


class RegradeOutcome(StrEnum):
    """How a request was answered."""

    OVERRIDE = "override"
    NO_CHANGE = "no_change"


class GradeShown(BaseModel):
    """The field's grade on the submission as it stands: the answer and its automatic grade."""

    answer: str
    verdict: str
    score: float
    max_score: float
    feedback: str


class RegradeRequestPublic(BaseModel):
    """One request, open or closed, with its answer once it has one."""

    id: str
    submission_id: str
    student_id: str
    student_name: str
    problem_set: str
    field: str
    message: str
    status: RegradeRequestStatus
    opened_at: datetime
    grade: GradeShown | None
    outcome: RegradeOutcome | None
    reply: str | None
    override_id: str | None
    override_score: float | None
    override_verdict: str | None
    answered_by: str | None
    answered_at: datetime | None


class RegradeRequestList(BaseModel):
    """Requests, oldest first."""

    items: list[RegradeRequestPublic]


class SubmissionRequests(BaseModel):
    """The requests on one submission by field, and whether its viewer may open more."""

    may_open: bool
    """Whether the viewer is the submission's student and the submission counts."""
    by_field: dict[str, list[RegradeRequestPublic]]
