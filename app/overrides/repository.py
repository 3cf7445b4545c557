"""Every query about overrides."""

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.db.models import Override, Submission


def submission_for_update(session: Session, submission_id: str) -> Submission | None:
    """A submission with its field grades, locked so that two overrides of it take turns."""
    query = select(Submission).where(Submission.id == submission_id).with_for_update()
    return session.scalars(query.options(selectinload(Submission.fields))).one_or_none()


def in_force(session: Session, submission_id: str, field: str) -> Override | None:
    """The override of a field now in force, if any."""
    query = select(Override).where(
        Override.submission_id == submission_id,
        Override.field == field,
        Override.removed_at.is_(None),
    )
    return session.scalars(query).first()


def in_force_for(session: Session, submission_ids: Iterable[str]) -> dict[str, dict[str, Override]]:
    """Submission id -> field -> its override in force, for the submissions given."""
    ids = list(submission_ids)
    if not ids:
        return {}
    query = select(Override).where(Override.submission_id.in_(ids), Override.removed_at.is_(None))
    found: dict[str, dict[str, Override]] = {}
    for override in session.scalars(query):
        found.setdefault(override.submission_id, {})[override.field] = override
    return found


def history(session: Session, submission_id: str) -> Sequence[Override]:
    """Every override of a submission, oldest first."""
    query = select(Override).where(Override.submission_id == submission_id)
    return session.scalars(query.order_by(Override.set_at, Override.id)).all()


def add(session: Session, override: Override) -> Override:
    """Store a new override."""
    session.add(override)
    session.flush()
    return override
