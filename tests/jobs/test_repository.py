"""The job queries that keep two processes apart: a claim records its runner, a beat
touches only that runner's running jobs, and a job a live runner holds cannot be settled;
on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from app.db.models import Job, JobStatus
from app.jobs import repository
from tests.conftest import People
from tests.jobs.conftest import MakeJob

BEAT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def refresh(session: Session, job: Job) -> Job:
    session.expire_all()
    found = session.get(Job, job.id)
    assert found is not None
    return found


def running(make_job: MakeJob, runner: str, *, status: str = JobStatus.RUNNING.value) -> Job:
    job = make_job()
    job.status, job.runner, job.heartbeat_at = status, runner, BEAT
    return job


def test_a_claim_records_its_runner_and_first_heartbeat(
    session: Session, make_job: MakeJob
) -> None:
    job = make_job()
    claimed = repository.claim(session, job.id, runner="host:1:aa")
    assert claimed is not None
    job = refresh(session, job)
    assert (job.status, job.runner) == ("running", "host:1:aa")
    assert job.heartbeat_at is not None and job.heartbeat_at == job.started_at
    assert repository.claim(session, job.id, runner="host:2:bb") is None
    assert refresh(session, job).runner == "host:1:aa"


def test_a_beat_touches_only_the_runners_running_jobs(session: Session, make_job: MakeJob) -> None:
    mine = running(make_job, "host:1:aa")
    finished = running(make_job, "host:1:aa", status=JobStatus.DONE.value)
    theirs = running(make_job, "host:2:bb")
    session.commit()
    later = BEAT + 5 * SECOND
    repository.beat(session, "host:1:aa", later)
    beats = [refresh(session, job).heartbeat_at for job in (mine, finished, theirs)]
    assert beats == [later, BEAT, BEAT]


def test_a_job_a_live_runner_holds_is_not_settled(session: Session, make_job: MakeJob) -> None:
    job = running(make_job, "host:2:bb")
    session.commit()
    queued = {"status": JobStatus.QUEUED.value, "progress": 0.0}
    assert not repository.settle(session, job.id, BEAT - SECOND, queued)
    assert refresh(session, job).status == "running"
    assert repository.unattended(session, BEAT - SECOND) == []
    assert [found.id for found in repository.unattended(session, BEAT + SECOND)] == [job.id]
    assert repository.settle(session, job.id, BEAT + SECOND, queued)
    assert refresh(session, job).status == "queued"


def test_pending_specs_are_the_users_waiting_jobs_of_one_kind(
    session: Session, make_job: MakeJob, people: People
) -> None:
    waiting, started = make_job(n=1), make_job(n=2)
    started.status = JobStatus.RUNNING.value
    make_job(n=3).status = JobStatus.DONE.value
    make_job("tests.other", n=4)
    theirs = make_job(n=5)
    theirs.user_id = people.bob_id
    session.commit()
    specs = repository.pending_specs(session, people.alice_id, "tests.echo")
    assert sorted(spec["n"] for spec in specs) == [waiting.spec["n"], started.spec["n"]]
