"""What a running service leaves in its data directory: directories 0700 and files 0600, the
SQLite database and its -wal and -shm files included, whatever the process umask."""

import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest
import safetensors.torch
import torch
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.bootstrap import build_services
from app.config import Settings
from app.db.engine import transaction
from app.db.models import Job, Role, User
from app.jobs import service as jobs_service
from app.jobs.memory import MemoryBackend
from app.main import create_app
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.runner import InProcessRunner
from app.services import Services
from app.users.bootstrap import TOKEN_FILE, ensure_instructor
from app.users.service import issue
from app.web.security import SECRET_FILE
from tests.batches.http import post_class
from tests.checkpoints.http import upload
from tests.conftest import FASHION_MNIST_DIR, People
from tests.jobs import kinds
from tests.web.conftest import sign_in

TINY = safetensors.torch.save({"w": torch.zeros(1)})
CLASS_FILE = b'{"student": "ada", "answers": {"q1.a": "m x 10"}}\n'
KEPT = {"dlgrade.db", "dlgrade.db-wal", "dlgrade.db-shm", SECRET_FILE, TOKEN_FILE}


@pytest.fixture(params=[0o022, 0o002, 0o000], ids=["umask 022", "umask 002", "umask 000"])
def umask(request: pytest.FixtureRequest) -> Iterator[None]:
    """The process umask for one test; 000 would leave every file the library's default."""
    previous = os.umask(request.param)
    yield
    os.umask(previous)


def running(data_dir: Path) -> Services:
    """The service on SQLite in data_dir, grading in process, its jobs held (never run)."""
    settings = Settings(data_dir=data_dir, grading_workers=1, dataset_dir=FASHION_MNIST_DIR)
    runner = InProcessRunner(ProblemCatalog(settings.problems_dir))
    built = build_services(settings, runner=runner)
    return replace(built, jobs=MemoryBackend(partial(transaction, built.sessions), built.job_kinds))


def use_everything(services: Services) -> None:
    """Write what a service writes: the first instructor's token, a submission, a model
    upload, a class file and the pages' signing key."""
    ensure_instructor(services)
    instructor = (services.settings.data_dir / TOKEN_FILE).read_text().strip()
    with Session(services.engine) as session:
        student = issue(session, name="ada", role=Role.STUDENT).token
        session.commit()
    app = create_app(services.settings)
    app.state.services = services
    client = TestClient(app, raise_server_exceptions=False)
    answers = {"answers": {"q3.a": "108"}}
    submitted = client.post(
        "/api/v1/problem-sets/eecs182-hw5/submissions", json=answers, headers=People.auth(student)
    )
    assert submitted.status_code == 201, submitted.text
    assert upload(client, student, TINY).status_code == 202
    assert post_class(client, instructor, CLASS_FILE).status_code == 202
    sign_in(app, student)


def modes(data_dir: Path) -> dict[str, str]:
    """Every path under data_dir (itself as "."), with its permission bits in octal."""
    paths = [data_dir, *data_dir.rglob("*")]
    return {
        str(path.relative_to(data_dir)): oct(stat.S_IMODE(path.stat().st_mode)) for path in paths
    }


def private(data_dir: Path) -> dict[str, str]:
    """The same paths, with the modes they must have."""
    paths = [data_dir, *data_dir.rglob("*")]
    return {
        str(path.relative_to(data_dir)): oct(0o700 if path.is_dir() else 0o600) for path in paths
    }


def older_data_dir(data_dir: Path) -> None:
    """A data directory and an uploads directory as a release before this one left them."""
    (data_dir / "uploads").mkdir(parents=True)
    data_dir.chmod(0o755)
    (data_dir / "uploads").chmod(0o755)


@pytest.mark.parametrize("before", [None, older_data_dir], ids=["new", "older"])
def test_the_data_directory_is_readable_only_by_the_service(
    tmp_path: Path, umask: None, before: object, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    if callable(before):
        before(data_dir)
    services = running(data_dir)
    try:
        use_everything(services)
        found = modes(data_dir)
        assert KEPT <= set(found)
        # Uploads are kept in the database; an older release's upload directories are gone.
        assert not {name.split("/")[0] for name in found} & {"uploads", "batches"}
        assert found == private(data_dir)
    finally:
        services.close()


def _started(data_dir: Path, deployment: str) -> Services:
    """A start of the service on SQLite in data_dir, as a process of `deployment`."""
    settings = Settings(
        data_dir=data_dir,
        grading_workers=1,
        dataset_dir=FASHION_MNIST_DIR,
        deployment_id=deployment,
    )
    runner = InProcessRunner(ProblemCatalog(settings.problems_dir))
    built = build_services(settings, runner=runner)
    backend = MemoryBackend(partial(transaction, built.sessions), kinds.KINDS)
    held = replace(built, jobs=backend, job_kinds=kinds.KINDS)
    held.start()
    return held


def test_two_starts_of_one_deployment_queue_the_jobs_left_once(tmp_path: Path) -> None:
    first = _started(tmp_path, "release-1")
    with transaction(first.sessions) as session:
        user = User(name="ada", role=Role.STUDENT.value, token_hash="h" * 64)
        session.add(user)
        session.flush()
        job = Job(kind="tests.echo", user_id=user.id, problem_set="dl-ex1", field="q4.baseline")
        job.spec = {}
        jobs_service.create(session, job)
    first.close()
    starts = [_started(tmp_path, name) for name in ("release-2", "release-2", "release-3")]
    try:
        submitted = [start.jobs.submitted for start in starts]  # type: ignore[attr-defined]
        assert submitted == [[job.id], [], [job.id]]
    finally:
        for start in starts:
            start.close()
