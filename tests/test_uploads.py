"""Uploads: read only once the caller is known (a real server's memory shows it), within the
route's own size limit, and stored once per Idempotency-Key."""

import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from select import select as readable_within
from typing import Any

import httpx
import pytest
import safetensors.torch
import torch
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import IdempotentRequest, Job
from app.deps import REPLAYED_HEADER
from app.jobs import service as jobs_service
from app.jobs.memory import MemoryBackend
from app.services import Services
from app.uploads import MULTIPART_OVERHEAD_BYTES
from tests.blobs.stored import held_jobs
from tests.conftest import People
from tests.jobs.conftest import units_in
from tests.test_server import HOST, Server
from tests.test_server import server as server  # noqa: F401  (the fixture)

SET = "dl-ex1"
MODEL = safetensors.torch.save({"w": torch.zeros(3)})
CHECKPOINTS = f"/api/v1/problem-sets/{SET}/checkpoints"
BATCHES = f"/api/v1/problem-sets/{SET}/batches"
CLASS_FILE = b'{"student": "ann", "answers": {"q1.a": "m x 10"}}\n'


@pytest.fixture
def backend(app: FastAPI, services: Services, session: Session) -> MemoryBackend:
    """Jobs the uploads queue, held and never run."""
    held = MemoryBackend(units_in(session), services.job_kinds)
    app.state.services = replace(services, jobs=held)
    return held


def stored_files(session: Session) -> list[str]:
    """The jobs of every upload and import whose file is stored."""
    return sorted(held_jobs(session))


def upload_model(
    client: TestClient, token: str, content: bytes = MODEL, *, key: str | None = None
) -> Response:
    headers = People.auth(token) | ({"Idempotency-Key": key} if key else {})
    return client.post(
        CHECKPOINTS,
        data={"field": "q4.baseline"},
        files={"file": ("model.safetensors", content, "application/octet-stream")},
        headers=headers,
    )


def import_class(client: TestClient, token: str, *, key: str | None = None) -> Response:
    headers = People.auth(token) | ({"Idempotency-Key": key} if key else {})
    return client.post(
        BATCHES,
        data={"create_students": "true"},
        files={"file": ("class.jsonl", CLASS_FILE, "application/octet-stream")},
        headers=headers,
    )


def assert_replayed(first: Response, again: Response, backend: MemoryBackend) -> None:
    """The retry answered the first job again, and only that job was queued."""
    assert first.status_code == again.status_code == 202, again.text
    assert again.json() == first.json() and again.headers[REPLAYED_HEADER] == "true"
    assert backend.submitted == [first.json()["job_id"]]


def jobs_stored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Job)) or 0


@pytest.mark.parametrize("token", ["not-a-token", "", "x" * 5000])
@pytest.mark.parametrize("route", [CHECKPOINTS, BATCHES])
def test_a_bad_token_is_401_and_stores_nothing(
    client: TestClient,
    services: Services,
    session: Session,
    backend: MemoryBackend,
    route: str,
    token: str,
) -> None:
    before = stored_files(session)
    response = client.post(
        route,
        data={"field": "q4.baseline"},
        files={"file": ("model.safetensors", MODEL, "application/octet-stream")},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "Unauthorized"
    assert stored_files(session) == before and backend.submitted == []
    assert jobs_stored(session) == 0


def test_a_student_may_not_import_a_class(
    client: TestClient, people: People, services: Services, backend: MemoryBackend, session: Session
) -> None:
    before = stored_files(session)
    response = import_class(client, people.alice)
    assert response.status_code == 403, response.text
    assert stored_files(session) == before and backend.submitted == []


def test_an_upload_has_its_routes_limit_not_the_body_limit(
    app: FastAPI, client: TestClient, people: People, services: Services, backend: MemoryBackend
) -> None:
    limit = services.settings.max_body_bytes * 2
    settings = services.settings.model_copy(update={"max_checkpoint_bytes": limit})
    app.state.services = replace(services, settings=settings, jobs=backend)
    over_the_body_limit = MODEL + b"\0" * services.settings.max_body_bytes
    accepted = upload_model(client, people.alice, over_the_body_limit)
    assert accepted.status_code == 202, accepted.text
    over_the_upload_limit = b"\0" * (limit + MULTIPART_OVERHEAD_BYTES + 1)
    refused = upload_model(client, people.alice, over_the_upload_limit)
    assert refused.status_code == 413, refused.text
    assert refused.json()["error"] == "PayloadTooLarge"
    assert backend.submitted == [accepted.json()["job_id"]]


@pytest.mark.parametrize(
    ("files", "fields"),
    [
        ({"other": ("x.bin", MODEL)}, ["file"]),
        ({}, ["file"]),
    ],
    ids=["another part", "no file"],
)
def test_an_upload_without_its_file_names_the_part(
    client: TestClient,
    people: People,
    backend: MemoryBackend,
    files: dict[str, tuple[str, bytes]],
    fields: list[str],
) -> None:
    response = client.post(
        CHECKPOINTS,
        data={"field": "q4.baseline"},
        files=files or {"padding": (None, b"0")},
        headers=People.auth(people.alice),
    )
    assert response.status_code == 422, response.text
    assert response.json()["fields"] == fields and backend.submitted == []


def test_two_files_are_refused(client: TestClient, people: People, backend: MemoryBackend) -> None:
    response = client.post(
        CHECKPOINTS,
        data={"field": "q4.baseline"},
        files=[("file", ("a.safetensors", MODEL)), ("file", ("b.safetensors", MODEL))],
        headers=People.auth(people.alice),
    )
    assert response.status_code == 400, response.text
    assert "files" in response.json()["detail"] and backend.submitted == []


def test_an_unknown_form_field_is_refused_by_name(
    client: TestClient, people: People, backend: MemoryBackend
) -> None:
    response = client.post(
        CHECKPOINTS,
        data={"field": "q4.baseline", "colour": "red"},
        files={"file": ("model.safetensors", MODEL)},
        headers=People.auth(people.alice),
    )
    assert response.status_code == 422, response.text
    assert response.json()["fields"] == ["colour"] and backend.submitted == []


def test_a_repeated_upload_key_queues_one_evaluation(
    client: TestClient,
    people: People,
    services: Services,
    session: Session,
    backend: MemoryBackend,
) -> None:
    before = stored_files(session)
    first = upload_model(client, people.alice, key="upload-1")
    again = upload_model(client, people.alice, key="upload-1")
    assert_replayed(first, again, backend)
    assert REPLAYED_HEADER not in first.headers
    assert len(stored_files(session)) == len(before) + 1 and jobs_stored(session) == 1


def test_an_upload_key_reused_for_other_bytes_is_refused(
    client: TestClient, people: People, session: Session, backend: MemoryBackend
) -> None:
    assert upload_model(client, people.alice, key="upload-2").status_code == 202
    other = upload_model(client, people.alice, MODEL + b"\0", key="upload-2")
    assert other.status_code == 422, other.text
    assert other.json()["error"] == "IdempotencyKeyReused" and len(backend.submitted) == 1


def test_upload_keys_are_the_senders_own(
    client: TestClient, people: People, session: Session, backend: MemoryBackend
) -> None:
    mine = upload_model(client, people.alice, key="shared-key")
    theirs = upload_model(client, people.bob, key="shared-key")
    assert mine.status_code == theirs.status_code == 202
    assert mine.json()["job_id"] != theirs.json()["job_id"] and len(backend.submitted) == 2


def test_a_repeated_import_key_queues_one_import(
    client: TestClient,
    people: People,
    services: Services,
    session: Session,
    backend: MemoryBackend,
) -> None:
    before = stored_files(session)
    first = import_class(client, people.instructor, key="import-1")
    again = import_class(client, people.instructor, key="import-1")
    assert_replayed(first, again, backend)
    assert len(stored_files(session)) == len(before) + 1
    keys = session.scalars(select(IdempotentRequest.route)).all()
    assert keys == [f"batches:{SET}"]


def fail_to_create(session: Session, job: Job) -> Job:
    """Stands in for a database that fails once the upload is stored."""
    raise RuntimeError("the database went away")


@pytest.mark.parametrize("send", [upload_model, import_class])
def test_a_request_that_fails_after_its_upload_leaves_no_blob(
    client: TestClient,
    people: People,
    session: Session,
    backend: MemoryBackend,
    monkeypatch: pytest.MonkeyPatch,
    send: Any,
) -> None:
    before = stored_files(session), jobs_stored(session)
    monkeypatch.setattr(jobs_service, "create", fail_to_create)
    token = people.alice if send is upload_model else people.instructor
    response = send(TestClient(client.app, raise_server_exceptions=False), token)
    assert response.status_code == 500, response.text
    assert (stored_files(session), jobs_stored(session)) == before
    assert backend.submitted == []


UNREAD_BYTES = 190_000_000
SENDERS = 5
CHUNK = b"\0" * 1_000_000
MEMORY_BOUND_KB = 100_000


def _memory_kb(pid: int, field: str) -> int:
    """A `VmRSS`/`VmHWM` figure of a process, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def _send_unwanted(server: Server, authorization: str) -> int:
    """Send a 190 MB class file until the server answers; the answer's status."""
    boundary = "dlgradeboundary"
    head = (
        f"POST {BATCHES} HTTP/1.1\r\nHost: {HOST}:{server.port}\r\n"
        f"Authorization: {authorization}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {UNREAD_BYTES}\r\n\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="class.csv"\r\n\r\n'
    ).encode()
    with socket.create_connection((HOST, server.port), timeout=30) as connection:
        connection.sendall(head)
        sent = len(head)
        while sent < UNREAD_BYTES and not readable_within([connection], [], [], 0)[0]:
            try:
                connection.sendall(CHUNK)
            except OSError:
                break
            sent += len(CHUNK)
        answer = connection.recv(65536)
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize("who", ["bad token", "a student"])
def test_a_refused_callers_large_bodies_cost_the_server_no_memory(server: Server, who: str) -> None:
    authorization = "Bearer not-a-token"
    if who == "a student":
        authorization = f"Bearer {_student_token(server)}"
    pid = server.serve_pid()
    before = _memory_kb(pid, "VmRSS")
    with ThreadPoolExecutor(SENDERS) as senders:
        statuses = list(senders.map(lambda _: _send_unwanted(server, authorization), range(5)))
    assert statuses == [401 if who == "bad token" else 403] * SENDERS
    assert _memory_kb(pid, "VmHWM") - before < MEMORY_BOUND_KB
    assert not list((server.data_dir / "batches").glob("*"))


def _student_token(server: Server) -> str:
    response = httpx.post(
        f"{server.url}/api/v1/students", json={"name": "ann"}, headers=server.instructor()
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token
