"""The one failure value that every parser of untrusted text returns instead of raising."""

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
