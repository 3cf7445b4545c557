"""Overrides: an instructor puts a field's score in force over its automatic grade, replaces
it or takes it away; every step is kept. A regrade rewrites the automatic grade beneath and
leaves the override in force (app/gradebook/counting.py counts the override)."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from app.db.models import FieldGrade, Override, Role, Submission, User, utcnow
from app.errors import InvalidRequest, NotFound, UnknownField
from app.grading.result import Verdict
from app.overrides import repository
from app.overrides.schemas import (
    OverrideCreate,
    OverrideHistory,
    OverrideInForce,
    OverridePublic,
    OverrideRemoval,
)
from app.untrusted import shown
from app.users import repository as users

REPLACED = "Replaced by a newer override."


def set_override(
    session: Session, instructor: User, submission_id: str, field: str, body: OverrideCreate
) -> OverridePublic:
    """Put an override of one field in force, replacing the one in force, if any."""
    submission = _submission(session, submission_id)
    row = _field(submission, field)
    if body.score > row.max_score:
        raise InvalidRequest(
            f"The score must be between 0 and {row.max_score:g}, the points of {shown(field)}.",
            fields=["score"],
        )
    current = repository.in_force(session, submission.id, field)
    now = utcnow()
    if current is not None:
        _remove(current, instructor, REPLACED, now)
    override = Override(
        submission_id=submission.id,
        field=field,
        score=body.score,
        verdict=(body.verdict or _verdict(body.score, row.max_score)).value,
        comment=body.comment,
        previous_score=row.score if current is None else current.score,
        previous_verdict=row.verdict if current is None else current.verdict,
        set_by=instructor.id,
        set_at=now,
    )
    return public(repository.add(session, override))


def remove_override(
    session: Session, instructor: User, submission_id: str, field: str, body: OverrideRemoval
) -> OverridePublic:
    """Take the override of a field away, so that its automatic grade counts again."""
    submission = _submission(session, submission_id)
    _field(submission, field)
    current = repository.in_force(session, submission.id, field)
    if current is None:
        raise NotFound(f"No override of {shown(field)} is in force on this submission.")
    _remove(current, instructor, body.reason, utcnow())
    session.flush()
    return public(current)


def history(session: Session, user: User, submission_id: str) -> OverrideHistory:
    """Every override of a submission, oldest first; a student sees only their own."""
    submission = session.get(Submission, submission_id)
    if submission is None or not _may_see(user, submission):
        raise NotFound(f"There is no submission {shown(submission_id)}.")
    overrides = [public(override) for override in repository.history(session, submission.id)]
    return OverrideHistory(submission_id=submission.id, overrides=overrides)


def in_force_for(
    session: Session, submission_ids: Iterable[str]
) -> dict[str, dict[str, OverrideInForce]]:
    """Submission id -> field -> its override in force, with the name of who set it."""
    found = repository.in_force_for(session, submission_ids)
    setters = {override.set_by for fields in found.values() for override in fields.values()}
    names = {user.id: user.name for user in users.by_ids(session, setters).values()}
    return {
        submission_id: {field: _in_force(override, names) for field, override in fields.items()}
        for submission_id, fields in found.items()
    }


def public(override: Override) -> OverridePublic:
    """An override as the API shows it."""
    return OverridePublic(
        id=override.id,
        submission_id=override.submission_id,
        field=override.field,
        score=override.score,
        verdict=Verdict(override.verdict),
        comment=override.comment,
        previous_score=override.previous_score,
        previous_verdict=override.previous_verdict,
        set_by=override.set_by,
        set_at=override.set_at,
        in_force=override.removed_at is None,
        removed_at=override.removed_at,
        removed_by=override.removed_by,
        removal_reason=override.removal_reason,
    )


def _in_force(override: Override, names: dict[str, str]) -> OverrideInForce:
    return OverrideInForce(
        score=override.score,
        verdict=Verdict(override.verdict),
        comment=override.comment,
        set_by=override.set_by,
        set_by_name=names.get(override.set_by, ""),
        set_at=override.set_at,
    )


def _submission(session: Session, submission_id: str) -> Submission:
    submission = repository.submission_for_update(session, submission_id)
    if submission is None:
        raise NotFound(f"There is no submission {shown(submission_id)}.")
    return submission


def _field(submission: Submission, field: str) -> FieldGrade:
    for row in submission.fields:
        if row.field == field:
            return row
    raise UnknownField(
        f"This submission has no answer to {shown(field)}; only answered fields can be overridden.",
        fields=[field],
    )


def _remove(override: Override, instructor: User, reason: str, when: datetime) -> None:
    override.removed_at = when
    override.removed_by = instructor.id
    override.removal_reason = reason


def _verdict(score: float, max_score: float) -> Verdict:
    if score >= max_score:
        return Verdict.CORRECT
    return Verdict.INCORRECT if score == 0 else Verdict.PARTIAL


def _may_see(user: User, submission: Submission) -> bool:
    return user.role == Role.INSTRUCTOR.value or submission.user_id == user.id
