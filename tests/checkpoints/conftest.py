"""Fixtures for checkpoint tests: the real Fashion-MNIST, and honest checkpoints trained on it."""

import os
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.checkpoints.dataset import LabeledImages, load_split
from app.checkpoints.worker import prepare
from app.jobs.inprocess import SandboxExecutor
from app.jobs.memory import MemoryBackend
from app.sandbox import WorkerPool
from app.services import Services
from tests.checkpoints.trained import (
    FASHION_MNIST,
    RECIPES,
    Trained,
    one_torch_thread,
    plain_predictions,
    save,
    train,
)
from tests.jobs.conftest import units_in

TRAIN_SLICE = 20_000


@pytest.fixture(scope="package", autouse=True)
def single_threaded() -> Iterator[None]:
    """Every test here on one torch thread (see `one_torch_thread`)."""
    with one_torch_thread():
        yield


@pytest.fixture(scope="session")
def fashion_mnist_dir() -> Path:
    """The official files; CI must have them, elsewhere their absence skips these tests."""
    if not (FASHION_MNIST / "t10k-images-idx3-ubyte.gz").is_file():
        message = f"Fashion-MNIST is not at {FASHION_MNIST}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return FASHION_MNIST


@pytest.fixture(scope="session")
def test_split(fashion_mnist_dir: Path) -> LabeledImages:
    """The 10,000 test images."""
    return load_split(fashion_mnist_dir, "test")


@pytest.fixture(scope="session")
def train_split(fashion_mnist_dir: Path) -> LabeledImages:
    """The 60,000 training images."""
    return load_split(fashion_mnist_dir, "train")


@pytest.fixture(scope="session")
def trained(
    train_split: LabeledImages, test_split: LabeledImages, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Trained]:
    """Honest checkpoints of several option combinations, trained once per session."""
    directory = tmp_path_factory.mktemp("trained")
    data = LabeledImages(train_split.images[:TRAIN_SLICE], train_split.labels[:TRAIN_SLICE])
    with one_torch_thread():
        return _train_all(data, test_split, directory)


def _train_all(data: LabeledImages, test: LabeledImages, directory: Path) -> dict[str, Trained]:
    checkpoints = {}
    for name, recipe in RECIPES.items():
        state = train(recipe, data)
        predictions = plain_predictions(recipe.options, recipe.preprocessing, state, test.images)
        accuracy = float((predictions == test.labels).double().mean())
        tensors, pickled = save(name, state, directory)
        checkpoints[name] = Trained(
            name,
            recipe.options,
            recipe.preprocessing,
            state,
            tensors,
            pickled,
            accuracy,
            predictions,
        )
    return checkpoints


EVALUATION_MEMORY = 3_000_000_000


@pytest.fixture(scope="session")
def sandbox(fashion_mnist_dir: Path) -> Iterator[SandboxExecutor]:
    """One sandboxed evaluation worker for the session, the test split loaded once."""
    pool = WorkerPool(
        memory_limit_bytes=EVALUATION_MEMORY,
        initializer=partial(prepare, str(fashion_mnist_dir)),
    )
    executor = SandboxExecutor(pool, timeout_s=120)
    yield executor
    executor.close()


@pytest.fixture
def backend(services: Services, session: Session, sandbox: SandboxExecutor) -> MemoryBackend:
    """Jobs held until the test runs them, then evaluated in the sandbox."""
    return MemoryBackend(units_in(session), services.job_kinds, execute=sandbox)


@pytest.fixture
def job_client(app: FastAPI, services: Services, backend: MemoryBackend) -> TestClient:
    """An HTTP client whose uploads queue on `backend`."""
    app.state.services = replace(services, jobs=backend)
    return TestClient(app, raise_server_exceptions=False)
