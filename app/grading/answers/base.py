"""The contract every answer type fulfils: parse untrusted text, print it back, compare it."""

from dataclasses import dataclass
from typing import Protocol, TypeVar

from app.grading.failures import ParseFailure

V = TypeVar("V")
R = TypeVar("R", contravariant=True)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Whether an answer matches a target, and a hint that never reveals the target."""

    matches: bool
    hint: str | None = None


class AnswerType(Protocol[V, R]):
    """One kind of answer (shape, number, expression, ...), configured by its field's options.

    `parse` never raises on bad input: it returns a ParseFailure. `compare` is called with the
    reference value and then with each known mistake's value, all of the same kind.
    """

    def parse(self, raw: str) -> V | ParseFailure:
        """Turn normalized student text into a typed value, or say why it cannot be read."""
        ...

    def latex(self, value: V) -> str:
        """Show how the answer was understood, as LaTeX."""
        ...

    def compare(self, value: V, expected: R) -> Comparison:
        """Decide whether the value is equivalent to the expected one."""
        ...
