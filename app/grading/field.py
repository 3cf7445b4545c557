"""A field ready to grade: its answer type, the expected value and the known mistakes."""

from dataclasses import dataclass
from typing import Any

from app.grading.answers.base import AnswerType


@dataclass(frozen=True, slots=True)
class KnownMistake:
    """A computed wrong answer and the feedback (and partial credit) it earns."""

    name: str
    expected: Any
    feedback: str
    credit: float = 0.0


@dataclass(frozen=True, slots=True)
class GradableField:
    """Everything the engine needs to grade one field of one variant."""

    id: str
    max_score: float
    answer: AnswerType[Any, Any] | None
    expected: Any = None
    mistakes: tuple[KnownMistake, ...] = ()

    @property
    def is_upload(self) -> bool:
        """True for fields answered by uploading a file rather than by text."""
        return self.answer is None
