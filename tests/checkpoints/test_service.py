"""The checkpoint service: a restart loses no job, uploads are refused early by name and
lateness, and an evaluated checkpoint becomes a one-field submission with its provenance."""

import hashlib
import io
import time
from dataclasses import replace
from pathlib import Path

import pytest
import safetensors.torch
import torch
from sqlalchemy.orm import Session

from app.bootstrap import build_services
from app.checkpoints import service
from app.checkpoints.schemas import (
    CHECKPOINT_JOB,
    CheckpointCreate,
    EvaluationOutcome,
    parse_accuracy,
)
from app.checkpoints.service import CHECKPOINT_BLOB
from app.config import Settings
from app.db.engine import transaction
from app.db.models import Job, Role, User
from app.errors import SubmissionClosed
from app.jobs import service as jobs
from app.jobs.memory import MemoryBackend
from app.problemsets.catalog import ProblemCatalog
from app.services import Services
from app.users.service import issue
from tests.blobs.stored import held_jobs, lose
from tests.checkpoints.trained import Trained
from tests.conftest import People
from tests.jobs.conftest import units_in

WAIT_S = 120.0
FORM = CheckpointCreate(field="q4.baseline", mean=0.286, std=0.353)


def wait_until_finished(services: Services, job_ids: list[str]) -> dict[str, Job]:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        with transaction(services.sessions) as session:
            jobs = {job_id: session.get(Job, job_id) for job_id in job_ids}
            if all(job is not None and job.status in ("done", "failed") for job in jobs.values()):
                return {job_id: job for job_id, job in jobs.items() if job is not None}
        time.sleep(0.2)
    raise AssertionError("the jobs did not finish")


def test_no_job_is_lost_across_a_restart(
    tmp_path: Path, fashion_mnist_dir: Path, trained: dict[str, Trained]
) -> None:
    settings = Settings(data_dir=tmp_path, dataset_dir=fashion_mnist_dir)
    first = build_services(settings)
    held = MemoryBackend(units_in(first.sessions()), first.job_kinds)
    first = replace(first, jobs=held)
    with transaction(first.sessions) as session:
        alice = issue(session, name="alice", role=Role.STUDENT).user
    content = trained["plain"].safetensors_bytes
    ids = []
    for _ in range(3):
        with transaction(first.sessions) as session:
            upload = service.upload(
                first, session, alice, "dl-ex1", FORM, io.BytesIO(content), "m.safetensors"
            )
            ids.append(upload.job_id)
    queued, running, lost = ids
    with transaction(first.sessions) as session:
        job = session.get(Job, running)
        assert job is not None
        job.status, job.attempts = "running", 1  # the service died while evaluating it
    with transaction(first.sessions) as session:
        lose(session, lost)
    assert held.submitted == ids
    first.close()

    second = build_services(settings)
    try:
        second.start()
        jobs = wait_until_finished(second, ids)
    finally:
        second.close()
    for job_id in (queued, running):
        assert jobs[job_id].status == "done", jobs[job_id].error
        assert jobs[job_id].result is not None
        assert jobs[job_id].result["test"]["accuracy"] == trained["plain"].test_accuracy
        assert jobs[job_id].submission_id is not None
    assert jobs[running].attempts == 2
    assert jobs[lost].status == "failed"
    assert jobs[lost].error is not None and jobs[lost].error["error"] == "JobLost"
    assert "upload the model again" in jobs[lost].error["detail"]


def test_an_evaluation_runs_where_the_upload_is_not_on_disk(
    tmp_path: Path, fashion_mnist_dir: Path, trained: dict[str, Trained]
) -> None:
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    api_settings = Settings(
        data_dir=tmp_path / "api", database_url=database, dataset_dir=fashion_mnist_dir
    )
    api = build_services(api_settings)
    api = replace(api, jobs=MemoryBackend(units_in(api.sessions()), api.job_kinds))
    with transaction(api.sessions) as session:
        alice = issue(session, name="alice", role=Role.STUDENT).user
        content = trained["plain"].safetensors_bytes
        job_id = service.upload(
            api, session, alice, "dl-ex1", FORM, io.BytesIO(content), "m.safetensors"
        ).job_id
    api.close()

    worker = build_services(api_settings.model_copy(update={"data_dir": tmp_path / "worker"}))
    try:
        worker.start()
        finished = wait_until_finished(worker, [job_id])[job_id]
    finally:
        worker.close()
    assert finished.status == "done", finished.error
    assert finished.result is not None
    assert finished.result["test"]["accuracy"] == trained["plain"].test_accuracy
    # Neither process kept the model in its data directory: the worker read it from the database.
    kept = [path for name in ("api", "worker") for path in (tmp_path / name).rglob("*")]
    assert not any(path.is_file() and path.read_bytes() == content for path in kept)
    assert not any(path.name in ("uploads", "batches") for path in kept)


def test_a_refusing_deadline_stores_nothing(
    services: Services, session: Session, people: People, tmp_path: Path
) -> None:
    directory = tmp_path / "problems"
    directory.mkdir()
    source = (services.catalog.directory / "dl-ex1.yaml").read_text(encoding="utf-8")
    policy = "\npolicy:\n  due: 2000-01-01T00:00:00Z\n  late: refuse\n"
    (directory / "dl-ex1.yaml").write_text(source.rstrip() + "\n" + policy, encoding="utf-8")
    closed = replace(services, catalog=ProblemCatalog(directory))
    alice = session.query(User).filter_by(name="alice").one()
    with pytest.raises(SubmissionClosed):
        service.upload(closed, session, alice, "dl-ex1", FORM, io.BytesIO(b"x"), "m.safetensors")
    assert session.query(Job).count() == 0


def test_a_job_given_up_at_a_start_leaves_no_file_but_its_digest(
    services: Services, session: Session, people: People
) -> None:
    held = replace(services, jobs=MemoryBackend(units_in(session), services.job_kinds))
    alice = session.get(User, people.alice_id)
    assert alice is not None
    content = safetensors.torch.save({"w": torch.zeros(1)})
    job_id = service.upload(
        held, session, alice, "dl-ex1", FORM, io.BytesIO(content), "m.safetensors"
    ).job_id
    assert job_id in held_jobs(session, CHECKPOINT_BLOB)
    job = session.get(Job, job_id)
    assert job is not None and job.kind == CHECKPOINT_JOB
    job.status, job.attempts = "running", jobs.MAX_ATTEMPTS
    session.commit()
    assert jobs.resume(units_in(session), services.job_kinds) == []
    session.expire_all()
    job = session.get(Job, job_id)
    assert job is not None and job.error is not None
    assert (job.status, job.error["error"]) == ("failed", "JobLost")
    assert job_id not in held_jobs(session, CHECKPOINT_BLOB)
    assert job.spec["upload"]["sha256"] == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("text", "fraction"),
    [
        ("0.891", 0.891),
        ("89.1", 0.891),
        ("89.1%", 0.891),
        ("0.5%", 0.005),
        ("1", 1.0),
        ("100", 1.0),
        ("", None),
        ("  ", None),
        (".9", 0.9),
    ],
)
def test_accuracies_read_as_fractions_or_percentages(text: str, fraction: float | None) -> None:
    assert parse_accuracy(text) == pytest.approx(fraction)


@pytest.mark.parametrize(
    "text", ["abc", "101", "-1", "nan", "inf", "1e400", "0x10", "89,1", "9" * 100, "%", "1%%"]
)
def test_accuracies_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_accuracy(text)


def test_the_summary_shows_measured_and_claimed() -> None:
    evaluation = {
        "accuracy": 0.8912,
        "ci_low": 0.885,
        "ci_high": 0.897,
        "per_class": [0.9] * 10,
        "confusion": [[0] * 10] * 10,
        "count": 10_000,
    }
    outcome = EvaluationOutcome.model_validate(
        {
            "options": {"padding": 0, "pool": "avg", "activation": "tanh", "batchnorm": "after"},
            "preprocessing": {"mean": 0.5, "std": 0.5},
            "notes": [],
            "device": "cpu",
            "test": evaluation,
            "train": {**evaluation, "accuracy": 0.95, "count": 60_000},
            "grade": {
                "verdict": "correct",
                "score": 12.5,
                "max_score": 12.5,
                "summary": "",
                "flagged": False,
                "findings": [],
                "feedback": "",
            },
        }
    )
    text = service.summary(outcome, {"test_accuracy": 0.891, "train_accuracy": None})
    assert text.startswith("LeNet-5, padding 0, avg pooling, tanh, batch norm after: ")
    assert "test accuracy 89.12\\%" in text and "claimed 89.10\\%" in text
    assert "train accuracy 95.00\\%" in text and "$n = 10000$" in text
