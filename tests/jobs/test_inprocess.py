"""The embedded backend on a real database: jobs run in sandboxed workers, started on first use;
timeouts, crashes and exceptions fail the job; a stop puts the running job back in the queue;
the jobs it claims name it, and its heartbeat keeps them marked alive."""

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.db.engine import create_db_engine, session_factory, transaction
from app.db.migrate import upgrade
from app.db.models import Job, Role, User
from app.jobs import service
from app.jobs.inprocess import Heartbeat, InProcessBackend
from app.users.service import issue
from tests.jobs import kinds

WAIT_S = 60.0
MEMORY = 1_000_000_000
BEAT_S = 0.02
LATER = datetime(2100, 1, 1, tzinfo=UTC)
"""What the tests' heartbeat clock says: no claim records it."""


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on a fresh SQLite file, with one student."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'jobs.db'}")
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        issue(session, name="alice", role=Role.STUDENT)
    yield factory
    engine.dispose()


def backend(
    sessions: sessionmaker[Session], *, timeout_s: float = 20.0, heartbeat_s: float = 10.0
) -> InProcessBackend:
    return InProcessBackend(
        partial(transaction, sessions),
        kinds.KINDS,
        timeout_s=timeout_s,
        memory_limit_bytes=MEMORY,
        heartbeat_s=heartbeat_s,
        clock=lambda: LATER,
    )


def queue(sessions: sessionmaker[Session], kind: str, **spec: object) -> str:
    with transaction(sessions) as session:
        owner = session.scalars(select(User)).one()
        job = Job(kind=kind, user_id=owner.id, problem_set="dl-ex1", field="q4.baseline")
        job.spec = dict(spec)
        service.create(session, job)
        return job.id


def wait_for(sessions: sessionmaker[Session], job_id: str, *statuses: str) -> Job:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        with transaction(sessions) as session:
            job = session.get(Job, job_id)
            assert job is not None
            if job.status in statuses:
                return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not reach {statuses}")


def test_nothing_starts_before_the_first_job(sessions: sessionmaker[Session]) -> None:
    jobs = backend(sessions)
    assert jobs._executor is None and jobs._threads == []
    jobs.close()


@pytest.mark.parametrize(
    ("kind", "spec", "status", "error"),
    [
        ("tests.echo", {"n": 1}, "done", None),
        ("tests.refuse", {"n": 2}, "failed", "Refused"),
        ("tests.boom", {}, "failed", "ValueError"),
        ("tests.sleep", {"s": 30}, "failed", "JobTimeout"),
    ],
)
def test_jobs_run_in_the_sandbox(
    sessions: sessionmaker[Session], kind: str, spec: dict[str, object], status: str, error: str
) -> None:
    jobs = backend(sessions, timeout_s=3.0)
    try:
        job_id = queue(sessions, kind, **spec)
        jobs.submit(job_id)
        job = wait_for(sessions, job_id, "done", "failed")
    finally:
        jobs.close()
    assert job.status == status
    if error is None:
        assert job.result == {"echo": spec}
    else:
        assert job.error is not None and job.error["error"] == error


def test_a_stop_puts_the_running_job_back_in_the_queue(sessions: sessionmaker[Session]) -> None:
    jobs = backend(sessions)
    job_id = queue(sessions, "tests.sleep", s=30)
    jobs.submit(job_id)
    wait_for(sessions, job_id, "running")
    jobs.close()
    job = wait_for(sessions, job_id, "queued")
    assert job.attempts == 1
    jobs.submit(job_id)  # after close: stays queued for the next start
    assert wait_for(sessions, job_id, "queued").attempts == 1


def wait_for_beat(sessions: sessionmaker[Session], job_id: str) -> Job:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        with transaction(sessions) as session:
            job = session.get(Job, job_id)
            assert job is not None
            if job.heartbeat_at == LATER:
                return job
        time.sleep(BEAT_S)
    raise AssertionError(f"job {job_id} got no heartbeat")


def test_a_running_job_names_its_backend_and_its_heartbeat_goes_on(
    sessions: sessionmaker[Session],
) -> None:
    jobs = backend(sessions, heartbeat_s=BEAT_S)
    try:
        job_id = queue(sessions, "tests.sleep", s=30)
        jobs.submit(job_id)
        claimed = wait_for(sessions, job_id, "running")
        assert claimed.runner == jobs.runner
        assert wait_for_beat(sessions, job_id).status == "running"
    finally:
        jobs.close()
    other = backend(sessions)
    assert other.runner != jobs.runner
    other.close()


def test_a_heartbeat_that_fails_tries_again(sessions: sessionmaker[Session]) -> None:
    job_id = queue(sessions, "tests.sleep", s=30)
    with transaction(sessions) as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.status, job.runner = "running", "host:1:aa"
    calls: list[int] = []

    def flaky() -> AbstractContextManager[Session]:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("the database went away")
        return transaction(sessions)

    heartbeat = Heartbeat(flaky, "host:1:aa", interval_s=BEAT_S, clock=lambda: LATER)
    heartbeat.start()
    try:
        wait_for_beat(sessions, job_id)
    finally:
        heartbeat.stop()
    assert len(calls) >= 2
