"""The sandbox's limits hold on a `dlgrade worker`: an evaluation that runs past the worker's
DLGRADE_EVALUATION_TIMEOUT_S is stopped and fails with the reason, recording no submission,
and the worker goes on to the next job."""

from pathlib import Path

import pytest

from tests.batches.classgen import generate
from tests.jobs.celery_harness import (
    Api,
    evaluations_of,
    import_class,
    start_worker,
    untrained_model,
    upload_model,
)

pytestmark = pytest.mark.timeout(300)

TIMEOUT_S = 0.2
"""Far less than evaluating 10,000 test images takes."""


def test_an_evaluation_past_the_time_limit_is_stopped_on_a_worker(
    api: Api, tmp_path: Path, database_url: str, broker_url: str
) -> None:
    limited = {"evaluation_timeout_s": TIMEOUT_S}
    worker = start_worker(
        tmp_path / "worker", database_url, broker_url, "evaluations", "imports", settings=limited
    )
    try:
        body = api.ended(upload_model(api, untrained_model(seed=5)), worker)
        after = api.ended(import_class(api, generate(2, seed=5, prefix="next")), worker)
    finally:
        worker.stop()
    assert body["status"] == "failed", body
    assert body["error"]["error"] == "JobTimeout"
    assert f"{TIMEOUT_S:g} s" in body["error"]["detail"]
    assert body["submission_id"] is None
    assert evaluations_of(api, api.alice_id) == 0
    assert after["status"] == "done", after
