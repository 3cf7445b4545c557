"""A job's life in the database: claimed once, finished or failed, requeued when cut off,
cleaned up once it has ended, resumed or failed after a restart unless a live runner holds it;
on SQLite and PostgreSQL."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db.models import Job, JobStatus, new_id
from app.jobs import repository, service
from app.jobs.memory import MemoryBackend
from app.jobs.protocol import JobFailed, JobInterrupted, JobKind, Json, UnitOfWork
from app.services import Services
from tests.jobs import kinds
from tests.jobs.conftest import MakeJob


def run_here(kind: JobKind, spec: Json) -> Json:
    return kind.run(spec)


def no_follow_up(job_id: str) -> None:
    """These jobs queue nothing."""
    raise AssertionError(f"unexpected follow-up job {job_id}")


def refresh(session: Session, job: Job) -> Job:
    session.expire_all()
    found = session.get(Job, job.id)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("kind", "status", "error"),
    [
        ("tests.echo", "done", None),
        ("tests.refuse", "failed", {"error": "Refused", "detail": "refused 7"}),
        ("tests.unrecordable", "failed", "RecordFailed"),
        ("tests.nonexistent", "failed", "UnknownJob"),
    ],
)
def test_a_job_ends_done_or_failed(
    units: UnitOfWork, session: Session, make_job: MakeJob, kind: str, status: str, error: Any
) -> None:
    job = make_job(kind, n=7)
    service.process(units, kinds.KINDS, job.id, run_here, queue=no_follow_up)
    job = refresh(session, job)
    assert (job.status, job.progress, job.attempts) == (status, 1.0, 1)
    assert job.finished_at is not None and job.started_at is not None
    if error is None:
        assert job.error is None
        assert job.result == {"echo": {"n": 7}}
        assert (job.id, job.result) in kinds.RECORDED
    elif isinstance(error, dict):
        assert job.error == error
    else:
        assert job.error is not None and job.error["error"] == error


def test_a_failed_record_leaves_nothing_half_written(
    units: UnitOfWork, session: Session, make_job: MakeJob
) -> None:
    job = make_job("tests.unrecordable")
    service.process(units, kinds.KINDS, job.id, run_here, queue=no_follow_up)
    job = refresh(session, job)
    assert job.field == "q4.baseline"
    assert job.status == "failed"


@pytest.mark.parametrize(
    ("raised", "status"),
    [(JobFailed("JobTimeout", "too slow"), "failed"), (JobInterrupted(), "queued")],
)
def test_what_the_executor_raises_decides(
    units: UnitOfWork, session: Session, make_job: MakeJob, raised: Exception, status: str
) -> None:
    def execute(kind: JobKind, spec: Json) -> Json:
        raise raised

    job = make_job()
    service.process(units, kinds.KINDS, job.id, execute, queue=no_follow_up)
    job = refresh(session, job)
    assert job.status == status
    if status == "failed":
        assert job.error == {"error": "JobTimeout", "detail": "too slow"}


def test_a_job_runs_once(units: UnitOfWork, session: Session, make_job: MakeJob) -> None:
    calls: list[Json] = []

    def execute(kind: JobKind, spec: Json) -> Json:
        calls.append(spec)
        return kind.run(spec)

    job = make_job()
    for _ in range(3):
        service.process(units, kinds.KINDS, job.id, execute, queue=no_follow_up)
    service.process(units, kinds.KINDS, "no-such-job", execute, queue=no_follow_up)
    assert len(calls) == 1
    assert refresh(session, job).attempts == 1


@pytest.mark.parametrize(
    ("kind", "raised", "status", "cleaned"),
    [
        ("tests.echo", None, "done", 1),
        ("tests.refuse", None, "failed", 1),
        ("tests.unrecordable", None, "failed", 1),
        ("tests.echo", JobFailed("JobTimeout", "too slow"), "failed", 1),
        ("tests.echo", JobFailed("JobCrashed", "it died"), "failed", 1),
        ("tests.echo", JobInterrupted(), "queued", 0),
    ],
)
def test_a_job_is_cleaned_up_once_when_it_ends_and_not_when_queued_again(
    units: UnitOfWork,
    session: Session,
    make_job: MakeJob,
    kind: str,
    raised: Exception | None,
    status: str,
    cleaned: int,
) -> None:
    def execute(job_kind: JobKind, spec: Json) -> Json:
        if raised is not None:
            raise raised
        return job_kind.run(spec)

    job = make_job(kind, token=new_id())
    for _ in range(2):
        service.process(units, kinds.KINDS, job.id, execute, queue=no_follow_up)
    assert refresh(session, job).status == status
    assert kinds.CLEANED.count(job.spec) == cleaned


def test_a_job_taken_from_its_runner_meanwhile_is_not_cleaned_up(
    units: UnitOfWork, session: Session, make_job: MakeJob
) -> None:
    def execute(kind: JobKind, spec: Json) -> Json:
        # Another process's start-up took the job back while it ran here.
        with units() as other:
            taken = other.get(Job, job.id)
            assert taken is not None
            taken.status = JobStatus.QUEUED.value
        return kind.run(spec)

    job = make_job(token=new_id())
    service.process(units, kinds.KINDS, job.id, execute, queue=no_follow_up)
    assert refresh(session, job).status == "queued"
    assert job.spec not in kinds.CLEANED


def test_a_clean_up_that_fails_leaves_the_job_done(
    units: UnitOfWork, session: Session, make_job: MakeJob
) -> None:
    job = make_job("tests.stuck")
    service.process(units, kinds.KINDS, job.id, run_here, queue=no_follow_up)
    assert refresh(session, job).status == "done"


def test_resume_requeues_or_fails_every_pending_job(
    units: UnitOfWork, session: Session, make_job: MakeJob
) -> None:
    queued = make_job(token=new_id())
    running = make_job(token=new_id())
    running.status = JobStatus.RUNNING.value
    worn_out = make_job(token=new_id())
    worn_out.status, worn_out.attempts = JobStatus.RUNNING.value, service.MAX_ATTEMPTS
    lost = make_job(kept=False, token=new_id())
    orphan = make_job("tests.nonexistent")
    finished = make_job()
    finished.status = JobStatus.DONE.value
    session.commit()
    resumed = service.resume(units, kinds.KINDS)
    assert set(resumed) == {queued.id, running.id}
    assert refresh(session, running).status == "queued"
    for job, message in [(worn_out, "interrupted"), (lost, "input is gone"), (orphan, "handler")]:
        job = refresh(session, job)
        assert job.status == "failed"
        assert job.error is not None and job.error["error"] == "JobLost"
        assert message in job.error["detail"]
    assert refresh(session, finished).status == "done"
    # What a lost job left on disk is removed; what a resumed one needs stays.
    assert [job.spec in kinds.CLEANED for job in (worn_out, lost, queued, running)] == [
        True,
        True,
        False,
        False,
    ]


BEAT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("silent_s", "kept", "status"),
    [
        (0.0, True, "running"),
        (service.LEASE_S - 1, True, "running"),
        # Its runner is alive: whether its input is there is the runner's business.
        (service.LEASE_S - 1, False, "running"),
        (service.LEASE_S + 1, True, "queued"),
        (service.LEASE_S + 1, False, "failed"),
        (None, True, "queued"),
        (None, False, "failed"),
    ],
)
def test_resume_takes_back_only_running_jobs_whose_runner_went_silent(
    units: UnitOfWork,
    session: Session,
    make_job: MakeJob,
    silent_s: float | None,
    kept: bool,
    status: str,
) -> None:
    job = make_job(kept=kept, token=new_id())
    job.status, job.attempts, job.progress = JobStatus.RUNNING.value, 1, 0.5
    job.runner, job.heartbeat_at = "elsewhere:4242:0f0f", None if silent_s is None else BEAT
    session.commit()
    resumed = service.resume(units, kinds.KINDS, now=BEAT + timedelta(seconds=silent_s or 0))
    job = refresh(session, job)
    assert job.status == status
    assert (job.id in resumed) == (status == "queued")
    assert (job.spec in kinds.CLEANED) == (status == "failed")
    if status == "running":
        assert (job.progress, job.runner, job.heartbeat_at) == (0.5, "elsewhere:4242:0f0f", BEAT)


def test_the_memory_backend_runs_what_was_submitted(
    units: UnitOfWork, session: Session, make_job: MakeJob
) -> None:
    backend = MemoryBackend(units, kinds.KINDS)
    first, second = make_job(n=1), make_job("tests.refuse", n=2)
    backend.submit(first.id)
    backend.submit(second.id)
    assert refresh(session, first).status == "queued"
    assert backend.run_pending() == [first.id, second.id]
    assert backend.run_pending() == []
    assert [refresh(session, job).status for job in (first, second)] == ["done", "failed"]
    backend.close()
    assert backend.closed


def test_a_sweep_takes_back_silent_jobs_and_lists_the_queued_ones_not_yet_sent(
    units: UnitOfWork, session: Session, make_job: MakeJob
) -> None:
    unsent, sent = make_job(token=new_id()), make_job(token=new_id())
    sent.dispatched_at = BEAT
    silent, alive, worn_out = (make_job(kept=True, token=new_id()) for _ in range(3))
    for job, attempts, beat in (
        (silent, 1, BEAT - timedelta(seconds=service.LEASE_S + 1)),
        (alive, 1, BEAT),
        (worn_out, service.MAX_ATTEMPTS, BEAT - timedelta(seconds=service.LEASE_S + 1)),
    ):
        job.status, job.attempts, job.runner, job.heartbeat_at = "running", attempts, "w:1:a", beat
        job.dispatched_at = BEAT
    session.commit()
    listed = service.sweep(units, kinds.KINDS, now=BEAT)
    assert set(listed) == {unsent.id, silent.id}
    assert listed.index(unsent.id) < listed.index(silent.id)
    assert (refresh(session, silent).status, refresh(session, silent).dispatched_at) == (
        "queued",
        None,
    )
    assert refresh(session, alive).status == "running"
    given_up = refresh(session, worn_out)
    assert given_up.status == "failed" and given_up.error is not None
    assert given_up.error["error"] == "JobLost"
    assert f"{service.MAX_ATTEMPTS} times" in given_up.error["detail"]
    service.dispatched(units, unsent.id, now=BEAT)
    assert unsent.id not in service.sweep(units, kinds.KINDS, now=BEAT)


def test_a_job_cut_off_is_queued_to_be_sent_again(
    units: UnitOfWork, session: Session, make_job: MakeJob
) -> None:
    job = make_job(token=new_id())
    service.dispatched(units, job.id, now=BEAT)
    service.process(units, kinds.KINDS, job.id, interrupted, queue=no_follow_up, runner="w:1:a")
    job = refresh(session, job)
    assert (job.status, job.dispatched_at) == ("queued", None)


def interrupted(kind: JobKind, spec: Json) -> Json:
    raise JobInterrupted


def test_a_deployment_requeues_once_and_a_later_one_again(
    units: UnitOfWork, session: Session, make_job: MakeJob
) -> None:
    job = make_job(token=new_id())
    first, later = f"first-{new_id()}", f"later-{new_id()}"
    assert service.resume(units, kinds.KINDS, deployment=first) == [job.id]
    # Another process of the same deployment, starting after the re-queue committed.
    assert service.resume(units, kinds.KINDS, deployment=first) == []
    assert service.resume(units, kinds.KINDS, deployment=later) == [job.id]
    # A process of no named deployment is one of its own.
    assert service.resume(units, kinds.KINDS) == [job.id]
    assert refresh(session, job).status == "queued"


def test_a_start_that_fails_to_requeue_leaves_the_turn_to_the_next(
    units: UnitOfWork, session: Session, make_job: MakeJob
) -> None:
    job = make_job(token=new_id())
    deployment = f"failing-{new_id()}"
    with pytest.raises(RuntimeError), units() as unit:
        assert repository.take_requeue_turn(unit, deployment, BEAT)
        raise RuntimeError("the database went away")
    assert service.resume(units, kinds.KINDS, deployment=deployment) == [job.id]


@pytest.mark.parametrize(("first_commits", "second_gets_jobs"), [(True, False), (False, True)])
def test_of_a_deployments_overlapping_starts_one_requeues(
    services: Services,
    units: UnitOfWork,
    make_job: MakeJob,
    first_commits: bool,
    second_gets_jobs: bool,
) -> None:
    if services.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's BEGIN IMMEDIATE runs one start after the other")
    job = make_job(token=new_id())
    deployment = f"overlap-{new_id()}"
    with services.engine.connect() as first, Session(bind=first) as starting:
        assert repository.take_requeue_turn(starting, deployment, BEAT)
        with ThreadPoolExecutor(1) as pool:
            second = pool.submit(service.resume, units, kinds.KINDS, deployment=deployment)
            _wait_for_a_lock_wait(services)
            if first_commits:
                starting.commit()
            else:
                starting.rollback()
            resumed = second.result(timeout=30)
    assert resumed == ([job.id] if second_gets_jobs else [])


def _wait_for_a_lock_wait(services: Services, *, timeout_s: float = 30.0) -> None:
    """Return once some session waits for a lock: the second start, on the first's row."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    deadline = time.monotonic() + timeout_s
    with services.engine.connect() as watcher:
        while not watcher.scalar(waiting):
            assert time.monotonic() < deadline, "the second start never waited for the first"
            time.sleep(0.05)
            watcher.rollback()
