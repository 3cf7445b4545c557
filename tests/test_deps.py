"""One transaction per request: a job a request creates is handed to the backend once the
request commits, exactly once; a request that rolls back hands over nothing and keeps no job."""

from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import safetensors.torch
import torch
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.batches import service as batches_service
from app.bootstrap import build_services
from app.checkpoints import service as checkpoints_service
from app.config import Settings
from app.db.engine import transaction
from app.db.models import Job, Role
from app.jobs.memory import MemoryBackend
from app.main import create_app
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.runner import InProcessRunner
from app.regrade import service as regrade_service
from app.services import Services
from app.users.service import issue
from tests.batches.http import post_class
from tests.checkpoints.http import upload
from tests.conftest import FASHION_MNIST_DIR, People

TINY = safetensors.torch.save({"w": torch.zeros(1)})
CLASS_FILE = b'{"student": "ada", "answers": {"q1.a": "m x 10"}}\n'

Send = Callable[[TestClient, dict[str, str]], Any]
"""Sends a request that creates a job, given the tokens by role."""


def _upload(client: TestClient, tokens: dict[str, str]) -> Any:
    return upload(client, tokens["student"], TINY)


def _import(client: TestClient, tokens: dict[str, str]) -> Any:
    return post_class(client, tokens["instructor"], CLASS_FILE)


def _regrade(client: TestClient, tokens: dict[str, str]) -> Any:
    return client.post(
        "/api/v1/problem-sets/eecs182-hw5/regrade", headers=People.auth(tokens["instructor"])
    )


ROUTES = {"checkpoint upload": _upload, "class import": _import, "regrade": _regrade}
SERVICES = {
    "checkpoint upload": checkpoints_service,
    "class import": batches_service,
    "regrade": regrade_service,
}
"""The module whose `accepted` builds each route's answer."""


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Services]:
    """The service on SQLite, grading in process, its jobs held by a backend that counts them."""
    settings = Settings(data_dir=tmp_path, grading_workers=1, dataset_dir=FASHION_MNIST_DIR)
    built = build_services(settings, runner=InProcessRunner(ProblemCatalog(settings.problems_dir)))
    backend = MemoryBackend(partial(transaction, built.sessions), built.job_kinds)
    services = replace(built, jobs=backend)
    yield services
    services.close()


@pytest.fixture
def client(held: Services) -> TestClient:
    """The whole application, with its own sessions: no test transaction wraps the request."""
    app = create_app(held.settings)
    app.state.services = held
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def tokens(held: Services) -> dict[str, str]:
    with held.sessions() as session:
        made = {role.value: issue(session, name=role.value, role=role).token for role in Role}
        session.commit()
    return made


def queued(services: Services) -> list[str]:
    assert isinstance(services.jobs, MemoryBackend)
    return services.jobs.submitted


def job_count(services: Services) -> int:
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(Job)) or 0


@pytest.mark.parametrize("route", ROUTES)
def test_a_committed_request_hands_its_job_over_exactly_once(
    held: Services, client: TestClient, tokens: dict[str, str], route: str
) -> None:
    response = ROUTES[route](client, tokens)
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    assert queued(held) == [job_id]
    read = client.get(f"/api/v1/jobs/{job_id}", headers=People.auth(tokens["instructor"]))
    assert read.status_code == 200 and read.json()["status"] == "queued"
    assert queued(held) == [job_id] and job_count(held) == 1


@pytest.mark.parametrize("route", ROUTES)
def test_a_request_that_rolls_back_after_creating_its_job_hands_over_none(
    held: Services,
    client: TestClient,
    tokens: dict[str, str],
    route: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail_to_answer(job: Job) -> None:
        raise RuntimeError("the answer could not be built")

    # The job is created and its hand-over registered before the answer is built.
    monkeypatch.setattr(SERVICES[route], "accepted", fail_to_answer)
    response = ROUTES[route](client, tokens)
    assert response.status_code == 500
    assert queued(held) == [] and job_count(held) == 0
