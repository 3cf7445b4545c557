"""The server's sweep: at start it deletes what is already expired, and it stops when told."""

import io
import time
from datetime import timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import select

from app.blobs import service as blobs
from app.blobs.sweep import BlobSweeper
from app.db.engine import create_db_engine, session_factory, transaction
from app.db.migrate import upgrade
from app.db.models import Blob, Role, utcnow
from app.jobs.protocol import UnitOfWork
from app.users.service import issue


def test_the_sweep_runs_at_start_and_stops(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'sweep.db'}")
    upgrade(engine)
    units = partial(transaction, session_factory(engine))
    with units() as session:
        owner = issue(session, name="alice", role=Role.STUDENT).user
        kept, expired = (
            blobs.store(
                session,
                io.BytesIO(b"model"),
                purpose="checkpoint",
                owner_id=owner.id,
                job_id=job_id,
                max_bytes=100,
                what="model file",
            ).id
            for job_id in ("kept-job", "expired-job")
        )
    blobs.release(units, expired, retention_s=60, now=utcnow() - timedelta(hours=1))
    sweeper = BlobSweeper(units, retention_s=60, interval_s=3600)
    sweeper.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and expired in stored_ids(units):
            time.sleep(0.05)
    finally:
        sweeper.stop()
    # `kept` has no job row: an orphan, but younger than the retention period.
    assert stored_ids(units) == {kept}
    engine.dispose()


def stored_ids(units: UnitOfWork) -> set[str]:
    with units() as session:
        return set(session.scalars(select(Blob.id)))
