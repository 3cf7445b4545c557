"""What the tests look at in the blob store: which jobs' uploads are held, and how to lose or
spoil one."""

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.blobs import repository
from app.db.models import Blob, BlobChunk


def held_jobs(session: Session, purpose: str | None = None) -> set[str]:
    """The ids of the jobs whose uploads (of `purpose`, or any) are stored and not let go."""
    query = select(Blob.job_id).where(Blob.expires_at.is_(None))
    if purpose is not None:
        query = query.where(Blob.purpose == purpose)
    return set(session.scalars(query))


def job_blob(session: Session, job_id: str) -> Blob:
    """The one blob of a job."""
    return session.scalars(select(Blob).where(Blob.job_id == job_id)).one()


def lose(session: Session, job_id: str) -> None:
    """Delete a job's upload, as if it had been lost; committed."""
    repository.delete_blob(session, job_blob(session, job_id).id)
    session.commit()


def replace_content(session: Session, job_id: str, content: bytes) -> None:
    """Give a job's upload other bytes (with their size and digest); committed."""
    blob = job_blob(session, job_id)
    session.query(BlobChunk).filter_by(blob_id=blob.id).delete()
    repository.add_chunk(session, blob.id, 0, content)
    blob.size, blob.sha256 = len(content), hashlib.sha256(content).hexdigest()
    session.commit()
