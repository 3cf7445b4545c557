"""Every query on blobs and their chunks."""

from datetime import datetime

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session

from app.db.models import Blob, BlobChunk, Job, JobStatus

ENDED = (JobStatus.DONE.value, JobStatus.FAILED.value)


def add(session: Session, blob: Blob) -> Blob:
    """Insert a blob's row (its chunks follow); flushed, so a failure surfaces here."""
    session.add(blob)
    session.flush()
    return blob


def add_chunk(session: Session, blob_id: str, seq: int, data: bytes) -> None:
    """Insert one chunk at once, past the session's identity map: nothing of it stays held."""
    session.execute(insert(BlobChunk).values(blob_id=blob_id, seq=seq, data=data))


def by_id(session: Session, blob_id: str) -> Blob | None:
    """A blob's row, or None."""
    return session.get(Blob, blob_id)


def chunk(session: Session, blob_id: str, seq: int) -> bytes | None:
    """One chunk's bytes, or None when it is not there."""
    query = select(BlobChunk.data).where(BlobChunk.blob_id == blob_id, BlobChunk.seq == seq)
    data: bytes | None = session.scalar(query)
    return data


def expire(session: Session, blob_id: str, at: datetime) -> None:
    """Mark a blob for deletion after `at`; one already marked keeps its earlier time."""
    session.execute(
        update(Blob)
        .where(Blob.id == blob_id, Blob.expires_at.is_(None))
        .values(expires_at=at)
        .execution_options(synchronize_session=False)
    )


def expired(session: Session, *, now: datetime, ended_before: datetime, limit: int) -> list[str]:
    """Blobs due for deletion: marked and past their time, or whose job ended (or is gone)
    before `ended_before` without its clean-up marking them."""
    ended = Job.status.in_(ENDED) & (Job.finished_at < ended_before)
    orphan = Job.id.is_(None) & (Blob.created_at < ended_before)
    query = (
        select(Blob.id)
        .outerjoin(Job, Job.id == Blob.job_id)
        .where(or_(Blob.expires_at < now, ended, orphan))
        .order_by(Blob.created_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def delete_blob(session: Session, blob_id: str) -> None:
    """Delete a blob and its chunks."""
    session.execute(delete(BlobChunk).where(BlobChunk.blob_id == blob_id))
    session.execute(delete(Blob).where(Blob.id == blob_id))
