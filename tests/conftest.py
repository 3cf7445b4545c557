"""Fixtures for the HTTP tests: the app on SQLite and on PostgreSQL, one rolled-back
transaction per test, and tokens for an instructor and two students."""

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from app.bootstrap import build_services
from app.cache import CACHE_VARIABLE
from app.config import Settings
from app.db.engine import committed
from app.db.models import FieldGrade, Role, Submission, User
from app.deps import get_session
from app.main import create_app
from app.services import Services
from app.users.service import issue

POSTGRES_URL_VARIABLE = "DLGRADE_TEST_POSTGRES_URL"
REDIS_URL_VARIABLE = "DLGRADE_TEST_REDIS_URL"
# The official Fashion-MNIST files, beside the repository (as in CI).
FASHION_MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "fashion-mnist"


def pytest_configure(config: pytest.Config) -> None:
    """Give the run a cache of its own: it neither reads nor leaves what other runs stored."""
    os.environ[CACHE_VARIABLE] = tempfile.mkdtemp(prefix="dlgrade-test-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the run's cache."""
    shutil.rmtree(os.environ.pop(CACHE_VARIABLE, ""), ignore_errors=True)


def postgres_url() -> str | None:
    """The test PostgreSQL server; CI must have one, elsewhere its absence skips those tests."""
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if url is None and os.environ.get("CI"):
        pytest.fail(f"CI must provide a PostgreSQL server in {POSTGRES_URL_VARIABLE}")
    return url


def redis_url() -> str | None:
    """The test Redis server; CI must have one, elsewhere its absence skips those tests."""
    url = os.environ.get(REDIS_URL_VARIABLE)
    if url is None and os.environ.get("CI"):
        pytest.fail(f"CI must provide a Redis server in {REDIS_URL_VARIABLE}")
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def services(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    """The service's long-lived parts, once per database backend."""
    data_dir = tmp_path_factory.mktemp(f"data-{request.param}")
    url = None
    if request.param == "postgresql":
        url = postgres_url()
        if url is None:
            pytest.skip(f"no PostgreSQL server ({POSTGRES_URL_VARIABLE} is not set)")
    settings = Settings(
        data_dir=data_dir, database_url=url, grading_workers=2, dataset_dir=FASHION_MNIST_DIR
    )
    built = build_services(settings)
    yield built
    built.close()


@pytest.fixture
def connection(services: Services) -> Iterator[Connection]:
    """A connection whose outer transaction is rolled back after the test."""
    with services.engine.connect() as connection:
        outer = connection.begin()
        yield connection
        outer.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """A session inside the test's transaction; its commits become savepoints."""
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        yield session


@pytest.fixture
def app(services: Services, session: Session) -> FastAPI:
    """The application on the shared services, with the test's session swapped in."""
    application = create_app(services.settings)
    application.state.services = services

    def test_session() -> Iterator[Session]:
        with committed(session) as unit:
            yield unit

    application.dependency_overrides[get_session] = test_session
    return application


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    """An HTTP client for the app (no lifespan: the services are already running)."""
    return TestClient(app, raise_server_exceptions=False)


@dataclass(frozen=True)
class People:
    """Tokens of the users every API test can act as."""

    instructor: str
    alice: str
    bob: str
    alice_id: str
    bob_id: str

    @staticmethod
    def auth(token: str) -> dict[str, str]:
        """The Authorization header for a token."""
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def people(session: Session) -> People:
    """An instructor and two students, created inside the test's transaction."""
    instructor = issue(session, name="instructor", role=Role.INSTRUCTOR)
    alice = issue(session, name="alice", role=Role.STUDENT)
    bob = issue(session, name="bob", role=Role.STUDENT)
    session.commit()
    return People(instructor.token, alice.token, bob.token, alice.user.id, bob.user.id)


@dataclass(frozen=True)
class RowCounts:
    """How many rows each table holds."""

    users: int
    submissions: int
    field_grades: int


@pytest.fixture
def row_counts(session: Session) -> "CountRows":
    """A callable that counts the rows of every table, to show nothing changed."""
    return CountRows(session)


class CountRows:
    """Counts rows in the test's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __call__(self) -> RowCounts:
        count = self.session.scalar
        return RowCounts(
            users=count(select(func.count()).select_from(User)) or 0,
            submissions=count(select(func.count()).select_from(Submission)) or 0,
            field_grades=count(select(func.count()).select_from(FieldGrade)) or 0,
        )


HOSTILE_KEYS = [
    ("lone low surrogate", "\udfff", "\ufffd"),
    ("lone high surrogate", "\ud800", "\ufffd"),
    ("surrogate after an id", "q3.a\udfff", "q3.a\ufffd"),
    ("reversed surrogate pair", "\ude00\ud83d", "\ufffd\ufffd"),
    ("NUL", "\x00", "\x00"),
    ("bidi override", "\u202eq3.a", "\u202eq3.a"),
]
"""Answer ids no problem set has, each hard to echo back: (test id, key, as `fields` names it)."""


def sent_as_json(body: object) -> bytes:
    """A JSON body with non-ASCII escaped, so that lone surrogates travel as \\uXXXX escapes."""
    return json.dumps(body).encode()


def error_body(response: Response) -> dict[str, Any]:
    """An error response's body, read strictly: UTF-8 JSON in the product's one shape."""
    body: dict[str, Any] = json.loads(response.content.decode("utf-8"))
    assert set(body) <= {"error", "detail", "fields"}, body
    assert isinstance(body["error"], str) and isinstance(body["detail"], str), body
    assert all(isinstance(field, str) for field in body.get("fields", [])), body
    # json.loads turns an escaped lone surrogate back into one; a client could not show it.
    json.dumps(body, ensure_ascii=False).encode("utf-8")
    return body
