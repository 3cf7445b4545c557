"""Every query the checkpoint routes and jobs make of their own."""

from sqlalchemy.orm import Session

from app.db.models import Job, Submission


def add_submission(session: Session, submission: Submission) -> Submission:
    """Insert the submission that records an evaluated checkpoint; flushed."""
    session.add(submission)
    session.flush()
    return submission


def job(session: Session, job_id: str) -> Job | None:
    """A job, or None."""
    return session.get(Job, job_id)
