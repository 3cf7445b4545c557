"""The failure values that every parser of untrusted text returns instead of raising.

ParseFailure    the text cannot be read: graded `invalid`
  Refuted       the text was read and is wrong on its face: graded `incorrect`
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ParseFailure:
    """Why an answer could not be understood, and where (0-based offset into the raw text)."""

    message: str
    position: int | None = None

    def describe(self) -> str:
        """Render the message for a student, pointing at the position when known."""
        if self.position is None:
            return self.message
        return f"{self.message} (at character {self.position + 1})"


@dataclass(frozen=True, slots=True)
class Refuted(ParseFailure):
    """An answer that was read but cannot earn credit: working that breaks, a wrong kind."""
