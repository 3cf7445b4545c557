"""A worker killed (SIGKILL, all its processes) in the middle of an evaluation or of a
1,000-row import: the job is taken back once the lease lapses and completes exactly once on a
second worker (one submission per evaluation, every row stored once)."""

import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.db.models import JobStatus
from tests.batches.classgen import generate
from tests.batches.http import assert_stored_once
from tests.jobs.celery_harness import (
    Api,
    evaluations_of,
    import_class,
    start_worker,
    untrained_model,
    upload_model,
    wait_for,
)

pytestmark = pytest.mark.timeout(600)

MID_EVALUATION_S = 1.0
"""How long after its claim the evaluation is cut off: its sandbox is loading the model."""


def running(api: Api, job_id: str, *, past: float) -> bool:
    """Whether the job runs and has reported more than `past` of its progress."""
    row = api.row(job_id)
    assert row.status != JobStatus.DONE.value, "the job ended before it could be cut off"
    return row.status == JobStatus.RUNNING.value and row.progress > past


def test_an_evaluation_cut_off_by_a_killed_worker_completes_once_on_another(
    api: Api, tmp_path: Path, database_url: str, broker_url: str
) -> None:
    first = start_worker(tmp_path / "first", database_url, broker_url, "evaluations")
    job_id = upload_model(api, untrained_model(seed=7))
    wait_for(lambda: running(api, job_id, past=0.0), what="the first worker's claim")
    time.sleep(MID_EVALUATION_S)
    first.kill()
    second = start_worker(tmp_path / "second", database_url, broker_url, "evaluations")
    try:
        body = api.ended(job_id, second)
    finally:
        second.stop()
    assert body["status"] == "done", body
    assert api.row(job_id).attempts == 2
    assert evaluations_of(api, api.alice_id) == 1


def test_an_import_cut_off_by_a_killed_worker_stores_every_row_once(
    api: Api, tmp_path: Path, database_url: str, broker_url: str
) -> None:
    generated = generate(1000, seed=8, prefix="big")
    first = start_worker(tmp_path / "first", database_url, broker_url, "imports")
    job_id = import_class(api, generated)
    # Past its first reported chunk: some rows are stored, most are not.
    wait_for(lambda: running(api, job_id, past=0.1), what="the import's first chunk")
    first.kill()
    assert 0.1 < api.row(job_id).progress < 1
    second = start_worker(tmp_path / "second", database_url, broker_url, "imports")
    try:
        body = api.ended(job_id, second, timeout_s=300)
    finally:
        second.stop()
    assert body["status"] == "done", body
    assert api.row(job_id).attempts == 2
    with Session(api.services.engine) as session:
        assert_stored_once(session, generated)
