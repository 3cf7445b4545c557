"""Every query about regrade requests."""

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.db.models import RegradeRequest, RegradeRequestStatus, Submission


class Filters(NamedTuple):
    """Which requests a listing holds; None means any."""

    student_id: str | None = None
    submission_id: str | None = None
    problem_set: str | None = None
    field: str | None = None
    status: RegradeRequestStatus | None = None


def _loaded() -> Select[RegradeRequest]:
    """Requests with what their public form shows: the submission's grades, the student, the
    override."""
    return select(RegradeRequest).options(
        selectinload(RegradeRequest.submission).selectinload(Submission.fields),
        selectinload(RegradeRequest.student),
        selectinload(RegradeRequest.override),
    )


def listed(session: Session, filters: Filters, *, limit: int) -> Sequence[RegradeRequest]:
    """Requests matching the filters, oldest first (the order they are answered in)."""
    query = _loaded()
    if filters.student_id is not None:
        query = query.where(RegradeRequest.user_id == filters.student_id)
    if filters.submission_id is not None:
        query = query.where(RegradeRequest.submission_id == filters.submission_id)
    if filters.problem_set is not None:
        query = query.where(RegradeRequest.problem_set == filters.problem_set)
    if filters.field is not None:
        query = query.where(RegradeRequest.field == filters.field)
    if filters.status is not None:
        query = query.where(RegradeRequest.status == filters.status.value)
    query = query.order_by(RegradeRequest.opened_at, RegradeRequest.id)
    return session.scalars(query.limit(limit)).all()


def by_id(session: Session, request_id: str, *, for_update: bool = False) -> RegradeRequest | None:
    """One request; locked when it is to be answered, so that two answers take turns."""
    query = _loaded().where(RegradeRequest.id == request_id)
    if for_update:
        query = query.with_for_update(of=RegradeRequest)
    return session.scalars(query).one_or_none()


def open_one(
    session: Session, student_id: str, problem_set: str, field: str
) -> RegradeRequest | None:
    """The student's open request on a field, if any."""
    query = select(RegradeRequest).where(
        RegradeRequest.user_id == student_id,
        RegradeRequest.problem_set == problem_set,
        RegradeRequest.field == field,
        RegradeRequest.status == RegradeRequestStatus.OPEN.value,
    )
    return session.scalars(query).first()


def add(session: Session, request: RegradeRequest) -> bool:
    """Store a new request; False (and nothing stored) when the student already has one open
    on the field, opened at the same time by another request."""
    try:
        with session.begin_nested():
            session.add(request)
    except IntegrityError:
        return False
    return True
