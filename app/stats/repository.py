"""The query the answer statistics make besides the grade book's: checkpoint uploads and their
jobs."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import FieldGrade, Job, Submission


@dataclass(frozen=True, slots=True)
class CheckpointUpload:
    """One stored evaluation of an uploaded model: its grade and its job's state and result."""

    user_id: str
    submission_id: str
    grade: FieldGrade
    job_status: str
    job_result: dict[str, Any] | None


def checkpoint_uploads(session: Session, problem_set: str) -> Sequence[CheckpointUpload]:
    """Every evaluated checkpoint of a problem set, newest first (latest first among equals)."""
    query = (
        select(
            Submission.user_id,
            Submission.id,
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
        CheckpointUpload(user_id, submission_id, grade, status, result)
        for user_id, submission_id, grade, status, result in session.execute(query)
    ]
