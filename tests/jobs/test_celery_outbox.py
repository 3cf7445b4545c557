"""The broker down: a job created meanwhile stays queued, shown as waiting for the job queue,
and is sent and run once the broker is back (a regrade, and a model uploaded meanwhile); typed
submissions need no broker. The Redis server stopped here is this test's own."""

import time
from pathlib import Path

import pytest

from app.jobs.public import WAITING_FOR_QUEUE
from tests.batches.classgen import text_fields
from tests.checkpoints.http import DL_EX1
from tests.conftest import People
from tests.jobs.celery_harness import (
    API,
    api_settings,
    evaluations_of,
    running_api,
    start_regrade,
    start_worker,
    untrained_model,
    upload_model,
)
from tests.redis_server import OwnRedis

pytestmark = pytest.mark.timeout(300)

REQUEST_BOUND_S = 5.0
"""How long a request may take while the broker is down (its send times out in 1 s)."""
SWEEPS_S = 2.0
"""Long enough for several sweeps (every 0.5 s) to find the broker still down."""


def test_a_job_created_while_the_broker_is_down_runs_once_it_is_back(
    tmp_path: Path, database_url: str
) -> None:
    redis = OwnRedis(tmp_path / "redis")
    redis.directory.mkdir()
    redis.start()
    try:
        with running_api(api_settings(tmp_path / "api", database_url, redis.url)) as api:
            redis.stop()
            started = time.monotonic()
            job_id = start_regrade(api)
            upload_id = upload_model(api, untrained_model(seed=4))
            assert time.monotonic() - started < 2 * REQUEST_BOUND_S
            answers = {text_fields()[0]: "7 x 7"}
            typed = api.client.post(
                f"{API}/problem-sets/{DL_EX1}/submissions",
                json={"answers": answers},
                headers=People.auth(api.alice),
            )
            assert typed.status_code == 201, typed.text
            time.sleep(SWEEPS_S)
            for queued in (job_id, upload_id):
                waiting = api.job(queued)
                assert (waiting["status"], waiting["waiting"]) == ("queued", WAITING_FOR_QUEUE)
                assert api.row(queued).dispatched_at is None
            redis.start()
            worker = start_worker(
                tmp_path / "worker", database_url, redis.url, "regrades", "evaluations"
            )
            try:
                bodies = [api.ended(queued, worker) for queued in (job_id, upload_id)]
            finally:
                worker.stop()
            for queued, body in zip((job_id, upload_id), bodies, strict=True):
                assert (body["status"], body["waiting"]) == ("done", None), body
                row = api.row(queued)
                assert row.attempts == 1 and row.dispatched_at is not None
            assert evaluations_of(api, api.alice_id) == 1
    finally:
        redis.stop()
