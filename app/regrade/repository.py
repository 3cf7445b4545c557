"""Every query a regrade makes: the answers submissions of a problem set, page by page."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.db.models import Submission
from app.submissions.repository import checkpoint_ids


def count_answers(session: Session, problem_set: str) -> int:
    """How many answers submissions (not checkpoint records) the problem set has."""
    query = select(func.count()).select_from(Submission).where(_answers(problem_set))
    return session.scalar(query) or 0


def answers_after(
    session: Session, problem_set: str, *, after: str | None, limit: int
) -> Sequence[Submission]:
    """The next page of answers submissions by id, with their field grades and user."""
    query = select(Submission).where(_answers(problem_set))
    if after is not None:
        query = query.where(Submission.id > after)
    query = query.order_by(Submission.id).limit(limit)
    options = (selectinload(Submission.fields), joinedload(Submission.user))
    return session.scalars(query.options(*options)).all()


def by_ids(session: Session, ids: Sequence[str]) -> Sequence[Submission]:
    """Submissions with their field grades, by id."""
    query = select(Submission).where(Submission.id.in_(ids))
    return session.scalars(query.options(selectinload(Submission.fields))).all()


def _answers(problem_set: str) -> ColumnElement[bool]:
    return and_(Submission.problem_set == problem_set, Submission.id.not_in(checkpoint_ids()))
