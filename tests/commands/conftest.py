"""Fixtures for the commands: a local service's environment in a temp directory, a generated
class imported into one once, and `--server` reaching the test app through a TestClient."""

import csv
import io
import os
from collections.abc import Iterator, Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.cli import main
from app.commands.remote import Connect, Remote
from app.jobs.memory import MemoryBackend
from app.services import Services
from tests.batches.classgen import GeneratedClass, generate
from tests.jobs.conftest import units_in

SERVER = "http://dlgrade.test"
CLASS_SIZE = 30


@dataclass(frozen=True)
class Ran:
    """A command's exit status and what it printed."""

    status: int
    out: str
    err: str


def run(argv: list[str], *, connect: Connect | None = None) -> Ran:
    """Run `dlgrade` with argv, capturing what it prints (rich consoles included)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(argv) if connect is None else main(argv, connect=connect)
    return Ran(status, out.getvalue(), err.getvalue())


def local_env(monkeypatch: pytest.MonkeyPatch, data_dir: Path, **settings: str) -> None:
    """Only the DLGRADE_* settings given: the data directory and `settings` (by field name)."""
    for name in list(os.environ):
        if name.startswith("DLGRADE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DLGRADE_DATA_DIR", str(data_dir))
    for name, value in settings.items():
        monkeypatch.setenv(f"DLGRADE_{name.upper()}", value)


def read_csv(path: Path) -> list[dict[str, str]]:
    """A written grade book's rows."""
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def expected_scores(generated: GeneratedClass) -> dict[str, dict[str, float]]:
    """Per student of the good rows: each question's score and the total, as graded here."""
    scores: dict[str, dict[str, float]] = {}
    for row in generated.good:
        assert row.student is not None
        student = scores.setdefault(row.student, {"total": row.total})
        for field_id, result in row.results.items():
            question = field_id.split(".")[0]
            student[question] = student.get(question, 0.0) + result.score
    return scores


def assert_book_matches(rows: list[dict[str, str]], generated: GeneratedClass) -> None:
    """Every student of the class has their graded scores in the written grade book."""
    by_name = {row["name"]: row for row in rows}
    for student, scores in expected_scores(generated).items():
        row = by_name[student]
        for column, score in scores.items():
            assert float(row[column] or 0) == pytest.approx(score, abs=1e-5), (student, column)


@dataclass(frozen=True)
class LocalClass:
    """A class imported by `dlgrade batch` into a data directory of its own."""

    data_dir: Path
    generated: GeneratedClass
    class_file: Path
    out: Path
    first: Ran


@pytest.fixture(scope="session")
def local_class(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalClass]:
    """A generated class imported once, embedded, on the published numbers."""
    directory = tmp_path_factory.mktemp("local-class")
    generated = generate(CLASS_SIZE, format="jsonl")
    class_file = directory / generated.filename
    class_file.write_bytes(generated.content)
    out = directory / "grades.csv"
    with pytest.MonkeyPatch.context() as monkeypatch:
        local_env(monkeypatch, directory / "data")
        first = run(batch_argv(class_file, out, "--create-students", "--published-numbers"))
    yield LocalClass(directory / "data", generated, class_file, out, first)


def batch_argv(class_file: Path, out: Path, *options: str) -> list[str]:
    """`dlgrade batch` of dl-ex1 with options."""
    return ["batch", str(class_file), "--problem-set", "dl-ex1", "--out", str(out), *options]


@pytest.fixture
def backend(services: Services, session: Session) -> MemoryBackend:
    """Jobs held until the command pauses between polls, then run in the test's transaction."""
    return MemoryBackend(units_in(session), services.job_kinds)


@pytest.fixture
def job_app(app: FastAPI, services: Services, backend: MemoryBackend) -> FastAPI:
    """The app, its jobs queued on `backend`."""
    app.state.services = replace(services, jobs=backend)
    return app


@pytest.fixture
def connect(job_app: FastAPI, backend: MemoryBackend) -> Connect:
    """What --server opens: the test app through a TestClient; a pause runs the queued jobs."""

    def open_test_app(server: str, token: str | None) -> Remote:
        assert server == SERVER
        client = TestClient(job_app, raise_server_exceptions=False)
        return Remote(client, token or "", pause=lambda _seconds: _run_jobs(backend))

    return open_test_app


def _run_jobs(backend: MemoryBackend) -> None:
    backend.run_pending()


def remote_argv(command: list[str], token: str) -> list[str]:
    """A command aimed at the test app with an instructor's token."""
    # The = form: a token may start with "-", which argparse would take for an option.
    return [*command, "--server", SERVER, f"--token={token}"]


def api_get(app: FastAPI, path: str, token: str, **params: str) -> bytes:
    """A GET on the test app that must succeed; the body."""
    client = TestClient(app, raise_server_exceptions=False)
    response = client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.content


def csv_rows(data: bytes) -> list[dict[str, str]]:
    """A CSV body's rows."""
    return list(csv.DictReader(io.StringIO(data.decode())))


def only(rows: list[dict[str, str]], names: Mapping[str, object]) -> list[dict[str, str]]:
    """The rows of the named students."""
    return [row for row in rows if row["name"] in names]
