"""The queries of copied-model detection: fingerprints of a field's uploads, and the copies
found among them."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from app.db.models import ModelCopy, ModelFingerprint, User


def add_fingerprint(session: Session, fingerprint: ModelFingerprint) -> None:
    """Keep an upload's fingerprint (once per job: an evaluation recorded again keeps one)."""
    if session.get(ModelFingerprint, fingerprint.job_id) is None:
        session.add(fingerprint)


def same_bytes(
    session: Session, problem_set: str, field: str, sha256: str
) -> Sequence[ModelFingerprint]:
    """Earlier uploads of the field with these exact bytes."""
    return _uploads_of(session, problem_set, field, ModelFingerprint.sha256 == sha256)


def same_layout(
    session: Session, problem_set: str, field: str, layout: str
) -> Sequence[ModelFingerprint]:
    """Earlier uploads of the field whose tensors have the same names and shapes."""
    return _uploads_of(session, problem_set, field, ModelFingerprint.layout == layout)


def add_copies(session: Session, copies: Sequence[ModelCopy]) -> None:
    """Record copies found."""
    session.add_all(copies)


def copies_of_job(session: Session, job_id: str, *, limit: int) -> Sequence[ModelCopy]:
    """The copies a job's upload is a side of, newest first."""
    query = (
        select(ModelCopy)
        .where(or_(ModelCopy.earlier_job_id == job_id, ModelCopy.later_job_id == job_id))
        .order_by(ModelCopy.found_at.desc(), ModelCopy.id)
        .limit(limit)
    )
    return session.scalars(query).all()


def copies_of_problem_set(session: Session, problem_set: str, *, limit: int) -> Sequence[ModelCopy]:
    """The copies found among a problem set's uploads, newest first."""
    query = (
        select(ModelCopy)
        .where(ModelCopy.problem_set == problem_set)
        .order_by(ModelCopy.found_at.desc(), ModelCopy.id)
        .limit(limit)
    )
    return session.scalars(query).all()


def users(session: Session, ids: set[str]) -> dict[str, User]:
    """Users by id."""
    if not ids:
        return {}
    return {user.id: user for user in session.scalars(select(User).where(User.id.in_(ids)))}


def _uploads_of(
    session: Session, problem_set: str, field: str, alike: ColumnElement[bool]
) -> Sequence[ModelFingerprint]:
    """The fingerprints of the field's uploads that also meet `alike`."""
    query = select(ModelFingerprint).where(
        ModelFingerprint.problem_set == problem_set, ModelFingerprint.field == field, alike
    )
    return session.scalars(query).all()
