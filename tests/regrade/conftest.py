"""Fixtures for regrades: services on a copy of the problem files, restored before each test,
and an HTTP client whose jobs run when the test says."""

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.bootstrap import build_services
from app.config import Settings
from app.jobs.memory import MemoryBackend
from app.problemsets.catalog import DEFAULT_DIRECTORY
from app.services import Services
from tests.conftest import FASHION_MNIST_DIR, postgres_url
from tests.jobs.conftest import units_in


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def services(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    """The service's parts on a copy of the problem files, graded in sandboxed workers."""
    url = None
    if request.param == "postgresql":
        url = postgres_url()
        if url is None:
            pytest.skip("no PostgreSQL server")
    problems = tmp_path_factory.mktemp(f"regrade-problems-{request.param}")
    restore(problems)
    settings = Settings(
        data_dir=tmp_path_factory.mktemp(f"regrade-data-{request.param}"),
        database_url=url,
        problems_dir=problems,
        grading_workers=2,
        dataset_dir=FASHION_MNIST_DIR,
    )
    built = build_services(settings)
    yield built
    built.close()


def restore(directory: Path) -> None:
    """The shipped problem files, and nothing else."""
    for path in directory.glob("*.yaml"):
        path.unlink()
    for path in DEFAULT_DIRECTORY.glob("*.yaml"):
        shutil.copy(path, directory)


@pytest.fixture(autouse=True)
def pristine(services: Services) -> Path:
    """The problem directory as shipped, and loaded as such, when the test starts."""
    restore(services.settings.problems_dir)
    services.catalog.reload()
    return services.settings.problems_dir


@pytest.fixture
def backend(services: Services, session: Session) -> MemoryBackend:
    """Jobs held until the test runs them, in the test's transaction."""
    return MemoryBackend(units_in(session), services.job_kinds)


@pytest.fixture
def job_client(app: FastAPI, services: Services, backend: MemoryBackend) -> TestClient:
    """An HTTP client whose jobs queue on `backend`."""
    app.state.services = replace(services, jobs=backend)
    return TestClient(app, raise_server_exceptions=False)
