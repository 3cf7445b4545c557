"""Domain errors, each carrying the HTTP status and the stable name a client sees.

DomainError
 +-- Unauthorized                 (401)
 +-- Forbidden                    (403)
 |    +-- SubmissionClosed
 +-- NotFound                     (404)
 |    +-- UnknownProblemSet
 +-- Conflict                     (409)
 +-- PayloadTooLarge              (413)
 +-- UnsupportedMediaType         (415)
 +-- InvalidSubmission            (422)
 |    +-- UnknownField
 |    +-- AnswerTooLong
 |    +-- TooManyAnswers
 +-- InvalidRequest               (422)
 |    +-- IdempotencyKeyReused
 +-- UnusableProblemFile          (422)
 +-- RateLimited                  (429)
 +-- Unavailable                  (503)
      +-- ServiceBusy
      +-- RequestAbandoned
"""

from collections.abc import Mapping, Sequence

from app.untrusted import encodable


class DomainError(Exception):
    """A failure a client caused and can act on; `error` is its stable name."""

    status: int = 400

    def __init__(
        self,
        detail: str,
        *,
        fields: Sequence[str] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        # Details and fields can echo client text (field ids, validation locations): a lone
        # surrogate there would fail every response, page or job record that carries them.
        detail = encodable(detail)
        super().__init__(detail)
        self.detail = detail
        self.fields = [encodable(field) for field in fields]
        self.headers = dict(headers or {})

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


class Unauthorized(DomainError):
    """No valid token came with the request."""

    status = 401


class Forbidden(DomainError):
    """The token is valid but may not do this."""

    status = 403


class SubmissionClosed(Forbidden):
    """The deadline has passed and the problem set refuses late submissions."""


class NotFound(DomainError):
    """Something named in the request does not exist (or is not the caller's to see)."""

    status = 404


class UnknownProblemSet(NotFound):
    """The problem set id is not one the service holds."""


class Conflict(DomainError):
    """The request clashes with what is stored now (an open request, an answered one)."""

    status = 409


class PayloadTooLarge(DomainError):
    """The request body is larger than the service accepts."""

    status = 413


class UnsupportedMediaType(DomainError):
    """The request body is not in the format the endpoint reads."""

    status = 415


class InvalidSubmission(DomainError):
    """The submission as a whole cannot be graded; nothing is recorded."""

    status = 422


class UnknownField(InvalidSubmission):
    """One or more answer ids are not fields of the problem set."""


class AnswerTooLong(InvalidSubmission):
    """An answer exceeds the length limit."""


class TooManyAnswers(InvalidSubmission):
    """The submission holds more answers than the problem set has fields."""


class InvalidRequest(DomainError):
    """The request does not have the shape the endpoint expects."""

    status = 422


class IdempotencyKeyReused(InvalidRequest):
    """An Idempotency-Key came back with a different request than the one it first named."""


class UnusableProblemFile(DomainError):
    """A problem file on disk is broken, so the problem sets were not reloaded."""

    status = 422


class RateLimited(DomainError):
    """Too many requests from one token; Retry-After says when to try again."""

    status = 429


class Unavailable(DomainError):
    """The service cannot serve the request right now (starting, stopping, database down)."""

    status = 503


class ServiceBusy(Unavailable):
    """More requests than the service takes at once; Retry-After says when to try again."""


class RequestAbandoned(Unavailable):
    """The client went away or the request ran out of time, so its work was rolled back."""
