"""The Celery backend with real workers: an evaluation, an import and a regrade each run on a
`dlgrade worker` process and are recorded on PostgreSQL; a task delivered again for a job
that has finished does nothing."""

import os
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from app.jobs.celery_app import TASK, make_celery
from tests.batches.classgen import generate
from tests.batches.http import assert_stored_once
from tests.jobs.celery_harness import (
    Api,
    Worker,
    evaluations_of,
    import_class,
    start_regrade,
    start_worker,
    untrained_model,
    upload_model,
)

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def worker(
    tmp_path_factory: pytest.TempPathFactory, api: Api, database_url: str, broker_url: str
) -> Iterator[Worker]:
    """One worker process on every queue, in its own directory."""
    started = start_worker(
        tmp_path_factory.mktemp("worker"),
        database_url,
        broker_url,
        "evaluations",
        "imports",
        "regrades",
    )
    yield started
    started.stop()


def ran_elsewhere(api: Api, job_id: str) -> bool:
    """Whether the job's runner was another process than this one (the API's)."""
    runner = api.row(job_id).runner
    assert runner is not None
    return runner.split(":")[-2] != str(os.getpid())


def test_an_evaluation_runs_on_a_worker_and_is_recorded(api: Api, worker: Worker) -> None:
    job_id = upload_model(api, untrained_model(seed=1))
    body = api.ended(job_id, worker)
    assert body["status"] == "done", (body, worker.output())
    assert body["result"]["test"]["count"] == 10_000
    assert body["submission_id"] is not None and body["waiting"] is None
    assert ran_elsewhere(api, job_id)
    assert evaluations_of(api, api.alice_id) == 1


def test_an_import_runs_on_a_worker_and_stores_each_row_once(api: Api, worker: Worker) -> None:
    generated = generate(20, seed=3, prefix="first")
    job_id = import_class(api, generated)
    body = api.ended(job_id, worker)
    assert body["status"] == "done", (body, worker.output())
    assert ran_elsewhere(api, job_id)
    with Session(api.services.engine) as session:
        assert_stored_once(session, generated)


def test_a_regrade_runs_on_a_worker(api: Api, worker: Worker) -> None:
    job_id = start_regrade(api)
    body = api.ended(job_id, worker)
    assert (body["status"], body["kind"]) == ("done", "submissions.regrade"), body
    assert ran_elsewhere(api, job_id)
    # The class imported above was graded with the same problem file: nobody changed.
    assert body["result"]["students"] == []


def test_a_task_delivered_again_for_a_finished_job_does_nothing(
    api: Api, worker: Worker, broker_url: str
) -> None:
    generated = generate(5, seed=4, prefix="again")
    first_import = api.ended(import_class(api, generated), worker)
    first_evaluation = api.ended(upload_model(api, untrained_model(seed=2)), worker)
    before = {job["job_id"]: api.row(job["job_id"]) for job in (first_import, first_evaluation)}
    evaluations = evaluations_of(api, api.alice_id)
    celery = make_celery(broker_url, timeout_s=2)
    celery.send_task(TASK, args=[first_import["job_id"]], queue="imports")
    celery.send_task(TASK, args=[first_evaluation["job_id"]], queue="evaluations")
    celery.close()
    # One worker process takes its queues' tasks in order: once these later jobs have run,
    # the tasks sent again ahead of them have been handled.
    assert (
        api.ended(import_class(api, generate(3, seed=5, prefix="later")), worker)["status"]
        == "done"
    )
    assert api.ended(upload_model(api, untrained_model(seed=3)), worker)["status"] == "done"
    for job_id, row in before.items():
        after = api.row(job_id)
        assert (after.status, after.attempts, after.finished_at, after.result) == (
            row.status,
            row.attempts,
            row.finished_at,
            row.result,
        )
    assert evaluations_of(api, api.alice_id) == evaluations + 1
    with Session(api.services.engine) as session:
        assert_stored_once(session, generated)
