"""What the answer-rule routes read and answer."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.grading.limits import MAX_ANSWER_CHARS

MAX_FEEDBACK_CHARS = 2_000
MAX_NOTE_CHARS = 100


class RuleBase(BaseModel):
    """One answer form of one field, and what it earns."""

    field: str = Field(max_length=100)
    verdict: Literal["correct", "partial"]
    credit: float = Field(default=1.0, ge=0.0, le=1.0, description="Share of the field's points.")
    note: str | None = Field(default=None, min_length=1, max_length=MAX_NOTE_CHARS)
    feedback: str = Field(min_length=1, max_length=MAX_FEEDBACK_CHARS)


class RuleCreate(RuleBase):
    """A new rule: `answer` is read as the field reads answers, and the rule matches its form."""

    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=1, max_length=MAX_ANSWER_CHARS)


class RulePublic(RuleBase):
    """A stored rule, with who made it and when."""

    id: str
    problem_set: str
    parsed: str = Field(description="The answer form it matches, as LaTeX.")
    created_by: str
    created_at: datetime
