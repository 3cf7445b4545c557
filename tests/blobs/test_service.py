"""Blobs on SQLite and PostgreSQL: stored in chunks within the caller's transaction and the size
limit, read back whole into a private file, refused when spoiled, released and swept."""

import hashlib
import io
import os
import stat
import tempfile
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.blobs import service as blobs
from app.blobs.service import CHUNK_BYTES, BlobMissing
from app.db.models import Blob, BlobChunk, Job, JobStatus, new_id, utcnow
from app.errors import InvalidRequest, PayloadTooLarge
from app.jobs.protocol import UnitOfWork
from tests.conftest import People
from tests.jobs.conftest import units_in

LARGE = 3 * CHUNK_BYTES + 12_345
"""Three whole chunks and a part of a fourth."""


@pytest.fixture(autouse=True)
def private_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Temporary files go under the test's own directory, so what is left there shows."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


@pytest.fixture
def units(session: Session) -> UnitOfWork:
    """Units of work inside the test's transaction."""
    return units_in(session)


def stored(session: Session, content: bytes, people: People, *, max_bytes: int) -> str:
    """Store `content` as a blob of a new job; its id."""
    blob = blobs.store(
        session,
        io.BytesIO(content),
        purpose="checkpoint",
        owner_id=people.alice_id,
        job_id=new_id(),
        max_bytes=max_bytes,
        what="model file",
    )
    return blob.id


def row_counts(session: Session) -> tuple[int, int]:
    """How many blobs and chunks there are."""
    blobs_count = session.scalar(select(func.count()).select_from(Blob)) or 0
    chunks_count = session.scalar(select(func.count()).select_from(BlobChunk)) or 0
    return blobs_count, chunks_count


def test_a_large_blob_round_trips_in_chunks(
    session: Session, people: People, units: UnitOfWork, private_temp: Path
) -> None:
    content = os.urandom(LARGE)
    blob_id = stored(session, content, people, max_bytes=LARGE)
    session.commit()
    sizes = session.scalars(
        select(func.length(BlobChunk.data)).where(BlobChunk.blob_id == blob_id)
    ).all()
    assert sorted(sizes) == [LARGE - 3 * CHUNK_BYTES] + [CHUNK_BYTES] * 3
    blob = session.get(Blob, blob_id)
    assert blob is not None
    assert (blob.size, blob.sha256) == (LARGE, hashlib.sha256(content).hexdigest())
    with blobs.materialised(units, blob_id, suffix=".pt") as path:
        assert path.read_bytes() == content and path.suffix == ".pt"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert list(private_temp.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "max_bytes", "refusal"),
    [
        (b"x" * 1_001, 1_000, PayloadTooLarge),
        (b"x" * (CHUNK_BYTES + 1), CHUNK_BYTES, PayloadTooLarge),
        (b"", 1_000, InvalidRequest),
        (b"__import__('os')" * 100, 1_000, PayloadTooLarge),
    ],
    ids=["one byte over", "over in the second chunk", "empty", "hostile and over"],
)
def test_a_refused_upload_leaves_no_row(
    session: Session, people: People, content: bytes, max_bytes: int, refusal: type[Exception]
) -> None:
    before = row_counts(session)
    with pytest.raises(refusal):
        stored(session, content, people, max_bytes=max_bytes)
    # The caller may go on and commit: the savepoint already took the half-written blob away.
    session.commit()
    assert row_counts(session) == before


def test_a_blob_at_the_limit_is_kept(session: Session, people: People) -> None:
    blob_id = stored(session, b"y" * 1_000, people, max_bytes=1_000)
    assert blobs.present(session, blob_id)


def spoil_missing_chunk(session: Session, blob_id: str) -> None:
    session.query(BlobChunk).filter_by(blob_id=blob_id, seq=1).delete()


def spoil_changed_byte(session: Session, blob_id: str) -> None:
    chunk = session.get(BlobChunk, (blob_id, 0))
    assert chunk is not None
    chunk.data = b"\x00" + chunk.data[1:]


def spoil_deleted(session: Session, blob_id: str) -> None:
    session.query(BlobChunk).filter_by(blob_id=blob_id).delete()
    session.query(Blob).filter_by(id=blob_id).delete()


@pytest.mark.parametrize("spoil", [spoil_missing_chunk, spoil_changed_byte, spoil_deleted])
def test_a_spoiled_blob_is_refused_and_leaves_no_file(
    session: Session, people: People, units: UnitOfWork, private_temp: Path, spoil: object
) -> None:
    blob_id = stored(session, os.urandom(2 * CHUNK_BYTES + 1), people, max_bytes=LARGE)
    session.commit()
    assert callable(spoil)
    spoil(session, blob_id)
    session.commit()
    with pytest.raises(BlobMissing), blobs.materialised(units, blob_id):
        pytest.fail("a spoiled blob was given out")
    assert list(private_temp.iterdir()) == []


def test_storing_and_reading_a_large_blob_holds_little_memory(
    session: Session, people: People, units: UnitOfWork, tmp_path: Path
) -> None:
    size = 40 * CHUNK_BYTES
    source = tmp_path / "large.bin"
    with source.open("wb") as out:
        for _ in range(size // CHUNK_BYTES):
            out.write(os.urandom(CHUNK_BYTES))
    tracemalloc.start()
    try:
        with source.open("rb") as file:
            blob = blobs.store(
                session,
                file,
                purpose="class-file",
                owner_id=people.alice_id,
                job_id=new_id(),
                max_bytes=size,
                what="class file",
            )
        session.commit()
        with blobs.materialised(units, blob.id) as path:
            assert path.stat().st_size == size
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A few chunks at a time at most, never the whole file.
    assert peak < 6 * CHUNK_BYTES


# -- retention ---------------------------------------------------------------------------------

RETENTION = timedelta(days=7)
T0 = datetime(2026, 12, 1, tzinfo=utcnow().tzinfo)


def job_with_blob(
    session: Session, people: People, status: JobStatus, *, finished: datetime | None
) -> str:
    """A job in `status` (finished at `finished`) and its blob; the blob's id."""
    job = Job(
        id=new_id(),
        kind="checkpoints.evaluate",
        user_id=people.alice_id,
        problem_set="dl-ex1",
        field="q4.baseline",
        spec={},
        status=status.value,
        created_at=T0 - timedelta(days=30),
        finished_at=finished,
    )
    session.add(job)
    blob = blobs.store(
        session,
        io.BytesIO(b"model bytes"),
        purpose="checkpoint",
        owner_id=people.alice_id,
        job_id=job.id,
        max_bytes=1_000,
        what="model file",
    )
    session.get_one(Blob, blob.id).created_at = T0 - timedelta(days=30)
    session.commit()
    return blob.id


def test_the_sweep_deletes_exactly_the_expired_blobs_of_ended_jobs(
    session: Session, people: People, units: UnitOfWork
) -> None:
    retention_s = RETENTION.total_seconds()
    released = job_with_blob(session, people, JobStatus.DONE, finished=T0)
    blobs.release(units, released, retention_s=retention_s, now=T0)
    fresh = job_with_blob(session, people, JobStatus.FAILED, finished=T0 + timedelta(days=5))
    blobs.release(units, fresh, retention_s=retention_s, now=T0 + timedelta(days=5))
    # Its clean-up never ran (the process died just after the job ended): the sweep sees it.
    unreleased = job_with_blob(session, people, JobStatus.FAILED, finished=T0)
    queued = job_with_blob(session, people, JobStatus.QUEUED, finished=None)
    running = job_with_blob(session, people, JobStatus.RUNNING, finished=None)
    everything = {released, fresh, unreleased, queued, running}

    assert blobs.sweep(units, retention_s=retention_s, now=T0 + RETENTION) == 0
    assert remaining(session, everything) == everything
    after = T0 + RETENTION + timedelta(seconds=1)
    assert blobs.sweep(units, retention_s=retention_s, now=after) == 2
    assert remaining(session, everything) == {fresh, queued, running}
    assert (
        session.scalar(
            select(func.count())
            .select_from(BlobChunk)
            .where(BlobChunk.blob_id.in_([released, unreleased]))
        )
        == 0
    )
    much_later = T0 + 10 * RETENTION
    assert blobs.sweep(units, retention_s=retention_s, now=much_later) == 1
    assert remaining(session, everything) == {queued, running}


def remaining(session: Session, blob_ids: set[str]) -> set[str]:
    """Which of the blobs are still stored."""
    session.expire_all()
    return set(session.scalars(select(Blob.id).where(Blob.id.in_(blob_ids))))


def test_a_release_keeps_the_earlier_expiry(
    session: Session, people: People, units: UnitOfWork
) -> None:
    blob_id = job_with_blob(session, people, JobStatus.DONE, finished=T0)
    blobs.release(units, blob_id, retention_s=60, now=T0)
    blobs.release(units, blob_id, retention_s=60, now=T0 + RETENTION)
    session.expire_all()
    assert session.get_one(Blob, blob_id).expires_at == T0 + timedelta(seconds=60)
    assert not blobs.present(session, blob_id)
