"""Every query on submissions and their field grades."""

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, NamedTuple

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session, selectinload

from app.db.models import FieldGrade, Job, Role, Submission, User

ScoreBand = Literal["full", "some", "none"]
# Scores are shown rounded to 6 decimals (`policy.final_score`): a score that rounds to 0 has
# no points, and one within a millionth of the maximum has full marks.
ROUNDS_TO_ZERO = 5e-7
FULL_MARKS_TOLERANCE = 1e-6


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
    session: Session,
    problem_set: str,
    *,
    user_id: str | None,
    limit: int,
    offset: int,
    late: bool | None = None,
    score: ScoreBand | None = None,
) -> Sequence[Submission]:
    """Submissions to a problem set, newest first, of one user or of everyone, late or on time,
    in a score band (after the late factor); None means any."""
    query = select(Submission).where(Submission.problem_set == problem_set)
    if user_id is not None:
        query = query.where(Submission.user_id == user_id)
    if late is not None:
        query = query.where(Submission.late == late)
    if score is not None:
        query = query.where(in_band(score))
    query = query.order_by(Submission.created_at.desc(), Submission.id.desc())
    return session.scalars(query.limit(limit).offset(offset)).all()


def in_band(band: ScoreBand) -> ColumnElement[bool]:
    """Whether a submission's score after the late factor is in the band: 'none' when it is 0,
    'full' when it reaches the maximum, 'some' in between."""
    final = Submission.total * Submission.score_factor
    if band == "none":
        return final < ROUNDS_TO_ZERO
    full = final >= Submission.max_total - FULL_MARKS_TOLERANCE
    return and_(final >= ROUNDS_TO_ZERO, full if band == "full" else ~full)


def counting(
    session: Session, problem_set: str, *, best: bool, student_id: str | None = None
) -> Sequence[tuple[User, Submission | None]]:
    """Every student (or only the one given) with the answers submission that counts (best
    score or latest), or None; submissions that record an evaluated checkpoint count per field
    (`counted_checkpoints`)."""
    score = Submission.total * Submission.score_factor
    latest = (Submission.created_at.desc(), Submission.id.desc())
    order = (score.desc(), *latest) if best else latest
    rank = func.row_number().over(partition_by=Submission.user_id, order_by=order)
    ranked = select(Submission.id, Submission.user_id, rank.label("rank")).where(
        Submission.problem_set == problem_set, Submission.id.not_in(checkpoint_ids())
    )
    students = select(User, Submission).where(User.role == Role.STUDENT.value)
    if student_id is not None:
        # Ranks are per student, so reading one student's rows leaves their ranks as they are.
        ranked = ranked.where(Submission.user_id == student_id)
        students = students.where(User.id == student_id)
    counted = ranked.subquery()
    query = (
        students.outerjoin(counted, and_(counted.c.user_id == User.id, counted.c.rank == 1))
        .outerjoin(Submission, Submission.id == counted.c.id)
        .order_by(User.name, User.id)
        .options(selectinload(Submission.fields))
    )
    return [(user, submission) for user, submission in session.execute(query)]


class CheckpointGrade(NamedTuple):
    """The evaluated checkpoint that counts for one student and model-upload field."""

    student_id: str
    field: str
    score: float
    """After the late factor."""
    late: bool
    created_at: datetime
    submission_id: str


def counted_checkpoints(
    session: Session, problem_set: str, *, best: bool, student_id: str | None = None
) -> Sequence[CheckpointGrade]:
    """The evaluated checkpoint that counts for each student (or only the one given) and
    model-upload field: the best or the latest upload of that field."""
    score = FieldGrade.score * Submission.score_factor
    latest = (Submission.created_at.desc(), Submission.id.desc())
    order = (score.desc(), *latest) if best else latest
    rank = func.row_number().over(
        partition_by=(Submission.user_id, FieldGrade.field), order_by=order
    )
    uploads = (
        select(
            Submission.user_id,
            FieldGrade.field,
            score.label("score"),
            Submission.late,
            Submission.created_at,
            Submission.id,
            rank.label("rank"),
        )
        .join(FieldGrade, FieldGrade.submission_id == Submission.id)
        .where(Submission.problem_set == problem_set, Submission.id.in_(checkpoint_ids()))
    )
    if student_id is not None:
        uploads = uploads.where(Submission.user_id == student_id)
    ranked = uploads.subquery()
    query = select(
        ranked.c.user_id,
        ranked.c.field,
        ranked.c.score,
        ranked.c.late,
        ranked.c.created_at,
        ranked.c.id,
    ).where(ranked.c.rank == 1)
    return [
        CheckpointGrade(user_id, field, float(value), bool(late), created_at, submission)
        for user_id, field, value, late, created_at, submission in session.execute(query)
    ]


def checkpoint_ids() -> Select[str | None]:
    """Ids of the submissions that record an evaluated checkpoint."""
    return select(Job.submission_id).where(Job.submission_id.is_not(None))
