"""Real pieces for the Celery tests: a database of their own on the PostgreSQL server, Redis
servers the tests own, `dlgrade worker` processes, and the API on the same database."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import safetensors.torch
import torch
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app.checkpoints.architecture import LeNetOptions, build
from app.config import Settings
from app.db.engine import transaction
from app.db.models import FieldGrade, Job, Role, Submission
from app.main import create_app
from app.services import Services
from app.users.service import issue
from tests.batches.classgen import MODEL_FIELD, GeneratedClass
from tests.checkpoints.http import DL_EX1
from tests.conftest import FASHION_MNIST_DIR, People, postgres_url

REPOSITORY = Path(__file__).resolve().parents[2]
API = "/api/v1"
FAST = {"job_lease_s": 3.0, "job_heartbeat_s": 0.5, "job_sweep_s": 0.5, "broker_timeout_s": 1.0}
"""Leases and intervals small enough that a dead worker's job is taken back in seconds."""
STOP_TIMEOUT_S = 20


@contextmanager
def own_database(server_url: str) -> Iterator[str]:
    """A fresh database on the PostgreSQL server, dropped afterwards; its URL."""
    name = f"dlgrade_celery_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database of its own on the test PostgreSQL server; the test is skipped without one."""
    url = postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server (DLGRADE_TEST_POSTGRES_URL is not set)")
    with own_database(url) as own:
        yield own


def api_settings(data_dir: Path, database_url: str, broker_url: str) -> Settings:
    """The API's settings: its own data directory, the shared database and broker."""
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        broker_url=broker_url,
        dataset_dir=FASHION_MNIST_DIR,
        grading_workers=1,
        **FAST,
    )


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Worker:
    """A `dlgrade worker` process group, with its own working and data directories."""

    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL the worker, its pool processes and their sandboxes at once."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(STOP_TIMEOUT_S)

    def stop(self) -> None:
        """Stop it gracefully, or kill it when it does not stop in time."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        """What the worker logged, for a failing assertion."""
        return self.log.read_text(errors="replace")[-4000:]


def start_worker(
    directory: Path,
    database_url: str,
    broker_url: str,
    *queues: str,
    concurrency: int = 1,
    settings: Mapping[str, object] | None = None,
) -> Worker:
    """Start `dlgrade worker` in `directory` (its working and data directory), with these
    settings besides the harness's own."""
    directory.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPOSITORY),
        "DLGRADE_DATA_DIR": str(directory / "data"),
        "DLGRADE_DATABASE_URL": database_url,
        "DLGRADE_BROKER_URL": broker_url,
        "DLGRADE_DATASET_DIR": str(FASHION_MNIST_DIR),
        "DLGRADE_GRADING_WORKERS": "1",
        **{f"DLGRADE_{name.upper()}": str(value) for name, value in FAST.items()},
    }
    env |= {f"DLGRADE_{name.upper()}": str(value) for name, value in (settings or {}).items()}
    log = directory / "worker.log"
    command = [sys.executable, "-m", "app.cli", "worker", "--queues", ",".join(queues)]
    command += ["--concurrency", str(concurrency)]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            cwd=directory,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Worker(process, log)


def wait_for(
    condition: Callable[[], Any], *, what: str, timeout_s: float = 120.0, every_s: float = 0.1
) -> Any:
    """Poll until `condition()` is truthy; its value."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every_s)
    raise AssertionError(f"gave up waiting for {what} after {timeout_s:g} s")


@dataclass(frozen=True)
class Api:
    """The API running with its lifespan (sweeper included), and who may call it."""

    client: TestClient
    services: Services
    instructor: str
    alice: str
    alice_id: str

    def job(self, job_id: str, token: str | None = None) -> dict[str, Any]:
        """A job's public body."""
        response = self.client.get(
            f"{API}/jobs/{job_id}", headers=People.auth(token or self.instructor)
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def row(self, job_id: str) -> Job:
        """A job's database row, read afresh."""
        with self.services.sessions() as session:
            job = session.get(Job, job_id)
            assert job is not None
            return job

    def ended(self, job_id: str, worker: "Worker", *, timeout_s: float = 120.0) -> dict[str, Any]:
        """Wait until the job has ended; its public body."""

        def over() -> dict[str, Any] | None:
            assert worker.process.poll() is None, worker.output()
            body = self.job(job_id)
            return body if body["status"] in ("done", "failed") else None

        try:
            body: dict[str, Any] = wait_for(over, what=f"job {job_id}", timeout_s=timeout_s)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; the job: {self.job(job_id)}\n{worker.output()}") from None
        return body


@contextmanager
def running_api(settings: Settings) -> Iterator[Api]:
    """The API on these settings, started as `dlgrade serve` starts it, with two users."""
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        services: Services = client.app.state.services  # type: ignore[attr-defined]
        with transaction(services.sessions) as session:
            instructor = issue(session, name="teacher", role=Role.INSTRUCTOR)
            alice = issue(session, name="alice", role=Role.STUDENT)
        yield Api(client, services, instructor.token, alice.token, alice.user.id)


def isolated(redis_url: str) -> str:
    """The shared Redis server, on a numbered database of its own for this module's queues
    (another run's worker must not take this run's jobs, nor the other way round): the one
    the URL names when it is not 0 (set aside for this run), else one picked at random."""
    parts = urlsplit(redis_url)
    if parts.path.strip("/") not in ("", "0"):
        return redis_url
    return urlunsplit(parts._replace(path=f"/{1 + secrets.randbelow(15)}"))


def untrained_model(seed: int) -> bytes:
    """A freshly initialised LeNet as safetensors bytes: a valid upload, evaluated in full."""
    torch.manual_seed(seed)
    state = build(LeNetOptions()).state_dict()
    return safetensors.torch.save(state)


def upload_model(api: Api, content: bytes) -> str:
    """Alice uploads a model; the job id."""
    response = api.client.post(
        f"{API}/problem-sets/{DL_EX1}/checkpoints",
        data={"field": MODEL_FIELD, "mean": "0.2860", "std": "0.3530"},
        files={"file": ("model.safetensors", content, "application/octet-stream")},
        headers=People.auth(api.alice),
    )
    assert response.status_code == 202, response.text
    job_id: str = response.json()["job_id"]
    return job_id


def import_class(api: Api, generated: GeneratedClass) -> str:
    """The instructor imports a class file; the job id."""
    response = api.client.post(
        f"{API}/problem-sets/{DL_EX1}/batches",
        data={"create_students": "true", "published_numbers": "true"},
        files={"file": (generated.filename, generated.content, "application/octet-stream")},
        headers=People.auth(api.instructor),
    )
    assert response.status_code == 202, response.text
    job_id: str = response.json()["job_id"]
    return job_id


def start_regrade(api: Api) -> str:
    """The instructor starts a regrade; the job id."""
    response = api.client.post(
        f"{API}/problem-sets/{DL_EX1}/regrade", headers=People.auth(api.instructor)
    )
    assert response.status_code == 202, response.text
    job_id: str = response.json()["job_id"]
    return job_id


def evaluations_of(api: Api, user_id: str) -> int:
    """How many checkpoint submissions a student has."""
    with api.services.sessions() as session:
        query = (
            select(func.count())
            .select_from(FieldGrade)
            .join(Submission, FieldGrade.submission_id == Submission.id)
            .where(Submission.user_id == user_id, FieldGrade.field == MODEL_FIELD)
        )
        return session.scalar(query) or 0
