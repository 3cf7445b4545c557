"""Every query on submissions and their field grades."""

from collections.abc import Sequence

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from app.db.models import Role, Submission, User


def add(session: Session, submission: Submission) -> Submission:
    """Insert a submission with its field grades; flushed, so a failure surfaces here."""
    session.add(submission)
    session.flush()
    return submission


def by_id(session: Session, submission_id: str) -> Submission | None:
    """A submission with its field grades."""
    query = (
        select(Submission)
        .where(Submission.id == submission_id)
        .options(selectinload(Submission.fields))
    )
    return session.scalars(query).one_or_none()


def page(
    session: Session, problem_set: str, *, user_id: str | None, limit: int, offset: int
) -> Sequence[Submission]:
    """Submissions to a problem set, newest first, of one user or of everyone."""
    query = select(Submission).where(Submission.problem_set == problem_set)
    if user_id is not None:
        query = query.where(Submission.user_id == user_id)
    query = query.order_by(Submission.created_at.desc(), Submission.id.desc())
    return session.scalars(query.limit(limit).offset(offset)).all()


def counting(
    session: Session, problem_set: str, *, best: bool
) -> Sequence[tuple[User, Submission | None]]:
    """Every student with the submission that counts (best score or latest), or None."""
    score = Submission.total * Submission.score_factor
    latest = (Submission.created_at.desc(), Submission.id.desc())
    order = (score.desc(), *latest) if best else latest
    rank = func.row_number().over(partition_by=Submission.user_id, order_by=order)
    ranked = (
        select(Submission.id, Submission.user_id, rank.label("rank"))
        .where(Submission.problem_set == problem_set)
        .subquery()
    )
    query = (
        select(User, Submission)
        .outerjoin(ranked, and_(ranked.c.user_id == User.id, ranked.c.rank == 1))
        .outerjoin(Submission, Submission.id == ranked.c.id)
        .where(User.role == Role.STUDENT.value)
        .order_by(User.name, User.id)
    )
    return [(user, submission) for user, submission in session.execute(query)]
