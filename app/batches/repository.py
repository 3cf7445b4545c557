"""Every query of class imports: the keys of the work already imported."""

from collections.abc import Collection, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.checkpoints.schemas import CHECKPOINT_JOB
from app.db.models import Job, JobStatus, Submission

# Bound parameters per IN list: well under every backend's limit (SQLite's is 32,766).
IN_CHUNK = 500

Known = set[tuple[str, str]]
"""(user id, batch key) pairs."""


def known_keys(session: Session, problem_set: str, user_ids: Collection[str]) -> Known:
    """The keys these users' imported work already holds: stored submissions, and model
    evaluations queued, running or done (a failed one may be imported again)."""
    known: Known = set()
    for chunk in _chunks(user_ids):
        known.update(_submission_keys(session, problem_set, chunk))
        known.update(_evaluation_keys(session, problem_set, chunk))
    return known


def add_submissions(session: Session, submissions: Sequence[Submission]) -> None:
    """Insert submissions with their field grades in one flush; a key stored twice raises
    IntegrityError here."""
    session.add_all(submissions)
    session.flush()


def _submission_keys(session: Session, problem_set: str, user_ids: list[str]) -> Known:
    query = select(Submission.user_id, Submission.batch_key).where(
        Submission.problem_set == problem_set,
        Submission.user_id.in_(user_ids),
        Submission.batch_key.is_not(None),
    )
    return {(user_id, key) for user_id, key in session.execute(query) if key is not None}


def _evaluation_keys(session: Session, problem_set: str, user_ids: list[str]) -> Known:
    key = Job.spec["batch_key"].as_string()
    query = select(Job.user_id, key).where(
        Job.kind == CHECKPOINT_JOB,
        Job.problem_set == problem_set,
        Job.user_id.in_(user_ids),
        Job.status != JobStatus.FAILED.value,
    )
    return {(user_id, value) for user_id, value in session.execute(query) if value is not None}


def _chunks(values: Collection[str]) -> Iterator[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start : start + IN_CHUNK]
