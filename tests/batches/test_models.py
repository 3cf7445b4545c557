"""Model files in a class ZIP, through HTTP: each queues a checkpoint evaluation as its student,
evaluated in the sandbox and recorded as a submission carrying the row's key; a model that
screening refuses fails its row; importing again queues nothing."""

import io
import os
import pickle
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest
import safetensors.torch
import torch
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.checkpoints.architecture import LeNetOptions, build
from app.checkpoints.schemas import CHECKPOINT_JOB
from app.checkpoints.worker import prepare
from app.db.models import Job, Submission, User
from app.jobs.inprocess import SandboxExecutor
from app.jobs.memory import MemoryBackend
from app.sandbox import WorkerPool
from app.services import Services
from tests.batches.classgen import MODEL_FIELD, generate
from tests.batches.http import assert_stored_once, imported, job
from tests.checkpoints.trained import FASHION_MNIST
from tests.conftest import People
from tests.jobs.conftest import units_in

EVALUATION_MEMORY = 3_000_000_000


@pytest.fixture(scope="session")
def evaluator() -> Iterator[SandboxExecutor]:
    """One sandboxed evaluation worker, the Fashion-MNIST test split loaded once."""
    if not (FASHION_MNIST / "t10k-images-idx3-ubyte.gz").is_file():
        message = f"Fashion-MNIST is not at {FASHION_MNIST}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    pool = WorkerPool(
        memory_limit_bytes=EVALUATION_MEMORY, initializer=partial(prepare, str(FASHION_MNIST))
    )
    executor = SandboxExecutor(pool, timeout_s=120)
    yield executor
    executor.close()


@pytest.fixture
def evaluating_client(
    app: FastAPI, services: Services, session: Session, evaluator: SandboxExecutor
) -> tuple[TestClient, MemoryBackend]:
    """An HTTP client whose jobs run on demand, evaluations in the sandbox."""
    backend = MemoryBackend(units_in(session), services.job_kinds, execute=evaluator)
    app.state.services = replace(services, jobs=backend)
    return TestClient(app, raise_server_exceptions=False), backend


class CreatesFile:
    """A pickle that, if it were ever unpickled, would create a file."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[object, ...]:
        return (open, (str(self.target), "w"))


def untrained_model() -> bytes:
    """A LeNet-5 state_dict as initialized: a real model that any evaluation can read."""
    torch.manual_seed(0)
    return safetensors.torch.save(build(LeNetOptions()).state_dict())


def test_model_files_queue_evaluations_recorded_once(
    evaluating_client: tuple[TestClient, MemoryBackend],
    services: Services,
    session: Session,
    people: People,
    tmp_path: Path,
) -> None:
    client, backend = evaluating_client
    target = tmp_path / "pwned"
    evil = io.BytesIO()
    pickle.dump(CreatesFile(target), evil)
    generated = generate(
        12,
        format="zip",
        models={"plain.safetensors": untrained_model(), "evil.pt": evil.getvalue()},
    )
    result = imported(client, backend, people.instructor, generated, create_students=True)
    [evaluation] = result["evaluations"]
    # The second student's row names the pickle: screening refuses it, and the whole row.
    refused = [error for error in result["errors"] if error["student"] == "student-0002"]
    assert len(refused) == 1
    assert MODEL_FIELD in refused[0]["reason"] and "can run code" in refused[0]["reason"]
    assert (result["stored"], result["failed"]) == (11, len(generated.bad) + 1)
    assert not target.exists()

    body = job(client, people.instructor, evaluation)
    assert (body["kind"], body["status"], body["field"]) == (CHECKPOINT_JOB, "done", MODEL_FIELD)
    # No options declared (the evaluation infers them), no preprocessing, nothing claimed.
    assert body["declared"] == {"preprocessing": {"mean": 0.0, "std": 1.0}}
    assert body["claims"] == {
        "test_accuracy": None,
        "train_accuracy": None,
    }
    student = session.scalars(select(User).where(User.login == "student-0001")).one()
    assert body["user_id"] == student.id
    evaluated = session.get(Job, evaluation)
    assert evaluated is not None and evaluated.submission_id is not None
    recorded = session.get(Submission, evaluated.submission_id)
    assert recorded is not None and recorded.user_id == student.id
    assert recorded.batch_key == evaluated.spec["batch_key"]
    assert [grade.field for grade in recorded.fields] == [MODEL_FIELD]
    assert body["result"]["test"]["count"] == 10_000

    evaluations = session.scalars(select(Job.id).where(Job.kind == CHECKPOINT_JOB)).all()
    again = imported(client, backend, people.instructor, generated, create_students=True)
    assert again["evaluations"] == []
    assert (again["stored"], again["unchanged"]) == (0, 11)
    assert session.scalars(select(Job.id).where(Job.kind == CHECKPOINT_JOB)).all() == evaluations
    good = replace(generated, rows=[row for row in generated.rows if row.student != "student-0002"])
    assert_stored_once(session, good)
