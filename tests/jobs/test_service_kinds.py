"""Kinds that run in the backend's own thread: progress while they run, follow-up jobs, and how
they end (done, failed, crashed, interrupted); on SQLite and PostgreSQL."""

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from app.db.models import Job, JobStatus
from app.jobs import service
from app.jobs.memory import MemoryBackend
from app.jobs.protocol import JobFailed, JobRun, Json, ServiceJobKind, UnitOfWork
from tests.jobs import kinds
from tests.jobs.conftest import MakeJob
from tests.jobs.test_service import no_follow_up, refresh, run_here

SEEN: list[Json] = []


def counting(run: JobRun) -> Json:
    """Reports progress twice, recording what a poller would read each time."""
    for done in (1, 2):
        run.report(done / 2, {"done": done})
        with run.units() as session:
            job = session.get(Job, run.job_id, populate_existing=True)
            assert job is not None
            SEEN.append({"status": job.status, "progress": job.progress, "result": job.result})
    return {"done": 2, "spec": run.spec}


def service_kind(name: str, run: Callable[[JobRun], Json]) -> ServiceJobKind:
    """A ServiceJobKind named `tests.<name>`."""
    return ServiceJobKind(
        name=f"tests.{name}", run=run, complete=kinds.record, lost=kinds.never_lost
    )


def failing(run: JobRun) -> Json:
    raise JobFailed("Refused", "the file was refused")


def crashing(run: JobRun) -> Json:
    raise KeyError("a bug")


def checking(run: JobRun) -> Json:
    run.check_stopping()
    return {}


KINDS = {
    kind.name: kind
    for kind in (
        service_kind("counting", counting),
        service_kind("failing", failing),
        service_kind("crashing", crashing),
        service_kind("checking", checking),
    )
}


def test_progress_and_partial_results_are_visible_while_the_job_runs(
    units: UnitOfWork, session: Session, make_job: MakeJob
) -> None:
    SEEN.clear()
    job = make_job("tests.counting", n=1)
    service.process(units, KINDS, job.id, run_here, queue=no_follow_up)
    assert SEEN == [
        {"status": "running", "progress": 0.5, "result": {"done": 1}},
        {"status": "running", "progress": 1.0, "result": {"done": 2}},
    ]
    job = refresh(session, job)
    assert (job.status, job.result) == ("done", {"done": 2, "spec": {"n": 1}})


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("tests.failing", {"error": "Refused", "detail": "the file was refused"}),
        (
            "tests.crashing",
            {
                "error": "JobCrashed",
                "detail": "The job stopped on an internal error; it was logged.",
            },
        ),
    ],
)
def test_a_failure_or_a_crash_fails_the_job_with_its_reason(
    units: UnitOfWork, session: Session, make_job: MakeJob, kind: str, error: Json
) -> None:
    job = make_job(kind)
    service.process(units, KINDS, job.id, run_here, queue=no_follow_up)
    job = refresh(session, job)
    assert (job.status, job.error) == ("failed", error)


@pytest.mark.parametrize(("closing", "status"), [(True, "queued"), (False, "done")])
def test_a_job_told_to_stop_goes_back_to_the_queue(
    units: UnitOfWork, session: Session, make_job: MakeJob, closing: bool, status: str
) -> None:
    job = make_job("tests.checking")
    service.process(units, KINDS, job.id, run_here, queue=no_follow_up, stopping=lambda: closing)
    assert refresh(session, job).status == status


def test_follow_up_jobs_run_on_the_same_backend(
    units: UnitOfWork, session: Session, make_job: MakeJob
) -> None:
    follow_up = make_job("tests.echo", n=2)

    def spawning(run: JobRun) -> Json:
        run.queue(follow_up.id)
        return {}

    all_kinds = {**kinds.KINDS, **KINDS, "tests.spawning": service_kind("spawning", spawning)}
    backend = MemoryBackend(units, all_kinds, execute=run_here)
    first = make_job("tests.spawning")
    backend.submit(first.id)
    assert backend.run_pending() == [first.id, follow_up.id]
    assert refresh(session, follow_up).status == JobStatus.DONE.value
