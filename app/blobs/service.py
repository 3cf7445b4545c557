"""Blobs: an upload streamed into the database in chunks inside the caller's transaction, read
back into a private temporary file by whichever process runs its job, and deleted by the sweep
once its job has ended and the retention period has passed."""

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from app.blobs import repository
from app.db.models import Blob, utcnow
from app.errors import InvalidRequest, PayloadTooLarge
from app.jobs.protocol import UnitOfWork
from app.private import open_private

CHUNK_BYTES = 1 << 20
"""The most bytes of a blob held in memory at once, writing or reading."""
SWEEP_BATCH = 500
"""Blobs looked up per query of a sweep; each is then deleted in its own transaction."""
DISK_UPLOADS = ("uploads", "batches")
"""Where in the data directory releases before this one kept uploads and class files."""


class BlobMissing(Exception):
    """A blob, or one of its chunks, is not in the database, or its bytes do not match."""


def forget_disk_uploads(data_dir: Path) -> None:
    """Remove the upload directories an older release left: its jobs cannot resume anyway."""
    for name in DISK_UPLOADS:
        shutil.rmtree(data_dir / name, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """A blob as stored: its id, size and SHA-256 digest."""

    id: str
    size: int
    sha256: str


def store(
    session: Session,
    file: BinaryIO,
    *,
    purpose: str,
    owner_id: str,
    job_id: str,
    max_bytes: int,
    what: str,
) -> StoredBlob:
    """Copy an upload into the session's transaction, chunk by chunk, counting as it goes:
    413 past max_bytes, 422 when empty; a refused upload leaves no row behind."""
    # A savepoint: whatever the caller does with the error, no half-written blob remains.
    with session.begin_nested():
        blob = repository.add(session, Blob(purpose=purpose, owner_id=owner_id, job_id=job_id))
        size, digest = _copy_chunks(session, file, blob.id, max_bytes=max_bytes, what=what)
        blob.size, blob.sha256 = size, digest
        session.flush()
    return StoredBlob(blob.id, size, digest)


def store_checked(
    session: Session,
    file: BinaryIO,
    *,
    check: Callable[[BinaryIO], None],
    purpose: str,
    owner_id: str,
    job_id: str,
    max_bytes: int,
    what: str,
) -> StoredBlob:
    """Store an upload as `store` does, then `check` it read again from its start; a check
    that refuses it leaves no blob behind."""
    # A savepoint of the caller's transaction: a refused file leaves no blob, even when the
    # caller (a page) answers the refusal and commits.
    with session.begin_nested():
        blob = store(
            session,
            file,
            purpose=purpose,
            owner_id=owner_id,
            job_id=job_id,
            max_bytes=max_bytes,
            what=what,
        )
        file.seek(0)
        check(file)
    return blob


def _copy_chunks(
    session: Session, file: BinaryIO, blob_id: str, *, max_bytes: int, what: str
) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    seq = 0
    while chunk := file.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            check_size(size, max_bytes=max_bytes, what=what)
        digest.update(chunk)
        repository.add_chunk(session, blob_id, seq, chunk)
        seq += 1
    check_size(size, max_bytes=max_bytes, what=what)
    return size, digest.hexdigest()


def check_size(size: int, *, max_bytes: int, what: str) -> None:
    """The answers a stored upload gets: 413 past max_bytes, 422 when empty."""
    if size > max_bytes:
        raise PayloadTooLarge(f"The {what} is larger than {max_bytes} bytes.", fields=["file"])
    if size == 0:
        raise InvalidRequest(f"The {what} is empty.", fields=["file"])


def present(session: Session, blob_id: str | None) -> bool:
    """Whether the blob is stored and not yet marked for deletion."""
    blob = None if blob_id is None else repository.by_id(session, blob_id)
    return blob is not None and blob.expires_at is None


@contextmanager
def materialised(units: UnitOfWork, blob_id: str, *, suffix: str = "") -> Iterator[Path]:
    """The blob's bytes in a file only this user may read, checked against its digest;
    removed when the block ends."""
    with private_file(suffix) as path:
        _write_out(units, blob_id, path)
        yield path


@contextmanager
def private_copy(file: BinaryIO) -> Iterator[Path]:
    """A copy of a readable upload in a file only this user may read; removed after."""
    with private_file() as path:
        descriptor = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        with os.fdopen(descriptor, "wb") as out:
            shutil.copyfileobj(file, out, CHUNK_BYTES)
        yield path


@contextmanager
def private_file(suffix: str = "") -> Iterator[Path]:
    """A path for a file in a new temporary directory (0700, here alone); removed after."""
    directory = Path(tempfile.mkdtemp(prefix="dlgrade-blob-"))
    try:
        yield directory / f"input{suffix}"
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _write_out(units: UnitOfWork, blob_id: str, path: Path) -> None:
    with units() as session:
        blob = repository.by_id(session, blob_id)
        if blob is None:
            raise BlobMissing(blob_id)
        size, expected = blob.size, blob.sha256
    digest = hashlib.sha256()
    written = 0
    descriptor = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    with os.fdopen(descriptor, "wb") as out:
        seq = 0
        while written < size:
            # One short transaction per chunk: a reader never holds SQLite's lock for long.
            with units() as session:
                data = repository.chunk(session, blob_id, seq)
            if not data:
                raise BlobMissing(blob_id)
            digest.update(data)
            out.write(data)
            written += len(data)
            seq += 1
    if written != size or digest.hexdigest() != expected:
        raise BlobMissing(blob_id)


def release(
    units: UnitOfWork, blob_id: str, *, retention_s: float, now: datetime | None = None
) -> None:
    """Mark a blob whose job has ended for deletion once the retention period has passed."""
    expires = (now or utcnow()) + timedelta(seconds=retention_s)
    with units() as session:
        repository.expire(session, blob_id, expires)


def sweep(units: UnitOfWork, *, retention_s: float, now: datetime | None = None) -> int:
    """Delete every blob due for deletion, each in its own short transaction; how many."""
    now = now or utcnow()
    ended_before = now - timedelta(seconds=retention_s)
    deleted = 0
    while True:
        with units() as session:
            due = repository.expired(session, now=now, ended_before=ended_before, limit=SWEEP_BATCH)
        for blob_id in due:
            with units() as session:
                repository.delete_blob(session, blob_id)
        deleted += len(due)
        if len(due) < SWEEP_BATCH:
            return deleted
