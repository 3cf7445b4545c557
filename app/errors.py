"""Domain errors, each carrying the HTTP status and the stable name a client sees.

DomainError
 +-- NotFound                     (404)
 |    +-- UnknownProblemSet
 +-- InvalidSubmission            (422)
      +-- UnknownField
      +-- AnswerTooLong
      +-- TooManyAnswers
"""

from collections.abc import Sequence


class DomainError(Exception):
    """A failure a client caused and can act on; `error` is its stable name."""

    status: int = 400

    def __init__(self, detail: str, *, fields: Sequence[str] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fields = list(fields)

    @property
    def error(self) -> str:
        """The stable, machine-readable name of this error."""
        return type(self).__name__

    def to_dict(self) -> dict[str, object]:
        """The one error shape of the whole product."""
        body: dict[str, object] = {"error": self.error, "detail": self.detail}
        if self.fields:
            body["fields"] = self.fields
        return body


class NotFound(DomainError):
    """Something named in the request does not exist."""

    status = 404


class UnknownProblemSet(NotFound):
    """The problem set id is not one the service holds."""


class InvalidSubmission(DomainError):
    """The submission as a whole cannot be graded; nothing is recorded."""

    status = 422


class UnknownField(InvalidSubmission):
    """One or more answer ids are not fields of the problem set."""


class AnswerTooLong(InvalidSubmission):
    """An answer exceeds the length limit."""


class TooManyAnswers(InvalidSubmission):
    """The submission holds more answers than the problem set has fields."""
