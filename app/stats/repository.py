"""Every query the answer statistics make: counted answers, checkpoint uploads and their jobs."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import FieldGrade, Job, Submission

# Ids per IN list: far below the bound-parameter limits of SQLite (32,766) and psycopg (65,535).
ID_CHUNK = 500


@dataclass(frozen=True, slots=True)
class CheckpointUpload:
    """One stored evaluation of an uploaded model: its grade and its job's state and result."""

    user_id: str
    submission_id: str
    score: float
    """The field's score after the late factor, as the grade book counts it."""
    grade: FieldGrade
    job_status: str
    job_result: dict[str, Any] | None


def field_grades(session: Session, submission_ids: Collection[str]) -> list[FieldGrade]:
    """The graded answers of the given submissions, in submission and field order."""
    ordered = sorted(set(submission_ids))
    rows: list[FieldGrade] = []
    for start in range(0, len(ordered), ID_CHUNK):
        query = (
            select(FieldGrade)
            .where(FieldGrade.submission_id.in_(ordered[start : start + ID_CHUNK]))
            .order_by(FieldGrade.submission_id, FieldGrade.position, FieldGrade.id)
        )
        rows.extend(session.scalars(query))
    return rows


def checkpoint_uploads(session: Session, problem_set: str) -> Sequence[CheckpointUpload]:
    """Every evaluated checkpoint of a problem set, newest first (latest first among equals)."""
    query = (
        select(
            Submission.user_id,
            Submission.id,
            FieldGrade.score * Submission.score_factor,
            FieldGrade,
            Job.status,
            Job.result,
        )
        .join(FieldGrade, FieldGrade.submission_id == Submission.id)
        .join(Job, Job.submission_id == Submission.id)
        .where(Submission.problem_set == problem_set)
        .order_by(Submission.created_at.desc(), Submission.id.desc())
    )
    return [
        CheckpointUpload(user_id, submission_id, float(score), grade, status, result)
        for user_id, submission_id, score, grade, status, result in session.execute(query)
    ]
