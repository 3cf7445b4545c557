"""The override forms of a student's page, read into the overrides service's own schemas; the
service decides, as it does for the API."""

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.db.models import User
from app.errors import InvalidRequest
from app.overrides import service as overrides
from app.overrides.schemas import (
    MAX_COMMENT,
    UNSTORABLE_TEXT,
    OverrideCreate,
    OverrideRemoval,
)
from app.submissions import service as submissions

# Longer than any number of points typed by hand; float() never sees a longer text.
MAX_SCORE_CHARS = 32
NOT_A_NUMBER = "The score must be a number of points, such as 1.5."
# (form input, pydantic's error type) -> what the instructor reads.
PROBLEMS = {
    ("score", "greater_than_equal"): "The score must be 0 or more.",
    ("score", "finite_number"): NOT_A_NUMBER,
    ("comment", "string_too_short"): "Write a comment for the student.",
    ("comment", "string_too_long"): f"The comment is longer than {MAX_COMMENT} characters.",
    ("comment", "value_error"): f"The comment {UNSTORABLE_TEXT}.",
    ("reason", "string_too_short"): "Write the reason for removing the override.",
    ("reason", "string_too_long"): f"The reason is longer than {MAX_COMMENT} characters.",
    ("reason", "value_error"): f"The reason {UNSTORABLE_TEXT}.",
}


def owner_of(session: Session, instructor: User, submission_id: str) -> str:
    """The id of the student whose submission this is; NotFound when there is none."""
    return submissions.read(session, instructor, submission_id).user_id


def set_override(
    session: Session, instructor: User, submission_id: str, field: str, *, score: str, comment: str
) -> None:
    """Put the form's score and comment in force on one field of the submission."""
    try:
        body = OverrideCreate(score=_number(score), comment=comment)
    except ValidationError as exc:
        raise _refused(exc) from None
    overrides.set_override(session, instructor, submission_id, field, body)


def remove_override(
    session: Session, instructor: User, submission_id: str, field: str, *, reason: str
) -> None:
    """Take the override of one field away, with the form's reason."""
    try:
        body = OverrideRemoval(reason=reason)
    except ValidationError as exc:
        raise _refused(exc) from None
    overrides.remove_override(session, instructor, submission_id, field, body)


def _number(text: str) -> float:
    try:
        if len(text) > MAX_SCORE_CHARS:
            raise ValueError(text)
        return float(text)
    except ValueError:
        raise InvalidRequest(NOT_A_NUMBER, fields=["score"]) from None


def _refused(exc: ValidationError) -> InvalidRequest:
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error["loc"] else ""
    problem = PROBLEMS.get((name, error["type"]), f"{error['msg']}.")
    return InvalidRequest(problem, fields=[name] if name else [])
