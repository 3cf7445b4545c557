"""A field ready to grade: its answer type, the expected value and the known mistakes."""

from dataclasses import dataclass
from typing import Any

from app.grading.answers.base import AnswerType
from app.grading.result import Verdict


@dataclass(frozen=True, slots=True)
class KnownMistake:
    """A computed wrong answer and the feedback (and partial credit) it earns."""

    name: str
    expected: Any
    feedback: str
    credit: float = 0.0


@dataclass(frozen=True, slots=True)
class AnswerForm:
    """An answer form, matched on how the answer reads (its LaTeX), and what it earns."""

    parsed: str
    verdict: Verdict
    credit: float
    feedback: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class GradableField:
    """Everything the engine needs to grade one field of one variant."""

    id: str
    max_score: float
    answer: AnswerType[Any, Any] | None
    expected: Any = None
    mistakes: tuple[KnownMistake, ...] = ()
    forms: tuple[AnswerForm, ...] = ()

    @property
    def is_upload(self) -> bool:
        """True for fields answered by uploading a file rather than by text."""
        return self.answer is None
