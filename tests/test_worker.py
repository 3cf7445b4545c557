"""`dlgrade worker` with two pool processes on a new PostgreSQL database: the database is
migrated once, by the worker's main process before the pool starts, not once per process."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from app.db.migrate import MIGRATING, alembic_config
from tests.conftest import redis_url
from tests.jobs.celery_harness import isolated, postgres_database, start_worker, wait_for

pytestmark = pytest.mark.timeout(300)

POOL_PROCESSES = 2
READY = "is ready for jobs"
STOP_S = 60


@pytest.fixture
def new_database() -> Iterator[str]:
    """A database nothing has migrated yet."""
    with postgres_database() as own:
        yield own


@pytest.fixture
def broker() -> str:
    """The test Redis server."""
    url = redis_url()
    if url is None:
        pytest.skip("no Redis server (DLGRADE_TEST_REDIS_URL is not set)")
    return isolated(url)


def _revision(database_url: str) -> str | None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            revision: str | None = connection.scalar(
                text("SELECT version_num FROM alembic_version")
            )
            return revision
    finally:
        engine.dispose()


def test_a_worker_of_two_processes_migrates_a_new_database_once(
    tmp_path: Path, new_database: str, broker: str
) -> None:
    worker = start_worker(
        tmp_path / "worker", new_database, broker, "regrades", concurrency=POOL_PROCESSES
    )
    try:
        wait_for(
            lambda: worker.log.read_text().count(READY) == POOL_PROCESSES,
            what=f"{POOL_PROCESSES} pool processes ready",
        )
        logged = worker.log.read_text(errors="replace")
    finally:
        worker.stop()
    assert logged.count(MIGRATING) == 1, worker.output()
    head = ScriptDirectory.from_config(alembic_config(new_database)).get_current_head()
    assert _revision(new_database) == head


def test_a_worker_that_cannot_migrate_the_database_stops_saying_why(
    tmp_path: Path, broker: str
) -> None:
    unreachable = "postgresql+psycopg://postgres@127.0.0.1:1/nothing"
    worker = start_worker(tmp_path / "worker", unreachable, broker, "regrades")
    try:
        status = worker.process.wait(STOP_S)
    finally:
        worker.stop()
    assert status != 0
    logged = worker.log.read_text(errors="replace")
    assert "the database could not be migrated" in logged and READY not in logged
