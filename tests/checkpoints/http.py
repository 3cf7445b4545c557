"""Helpers for the checkpoint HTTP tests: services whose jobs run on demand in a sandbox."""

from collections.abc import Mapping
from typing import Any

from fastapi.testclient import TestClient

from app.jobs.memory import MemoryBackend
from tests.conftest import People

API = "/api/v1"
DL_EX1 = "dl-ex1"


def upload(
    client: TestClient,
    token: str,
    content: bytes,
    *,
    filename: str = "model.safetensors",
    problem_set: str = DL_EX1,
    **form: Any,
) -> Any:
    """POST a model with its form fields; the response."""
    data = {"field": "q4.baseline", **form}
    return client.post(
        f"{API}/problem-sets/{problem_set}/checkpoints",
        data={key: _form_value(value) for key, value in data.items() if value is not None},
        files={"file": (filename, content, "application/octet-stream")},
        headers=People.auth(token),
    )


def accepted(client: TestClient, token: str, content: bytes, **form: Any) -> str:
    """POST a model that must be accepted; the job id."""
    response = upload(client, token, content, **form)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "queued"
    assert body["links"]["self"] == f"{API}/jobs/{body['job_id']}"
    job_id: str = body["job_id"]
    return job_id


def job(client: TestClient, token: str, job_id: str) -> Any:
    """GET a job; the response."""
    return client.get(f"{API}/jobs/{job_id}", headers=People.auth(token))


def finished(
    client: TestClient, backend: MemoryBackend, token: str, job_id: str
) -> Mapping[str, Any]:
    """Run the queued jobs, then the job's body, which must have finished."""
    backend.run_pending()
    response = job(client, token, job_id)
    assert response.status_code == 200, response.text
    body: Mapping[str, Any] = response.json()
    assert body["status"] in ("done", "failed"), body
    return body


def _form_value(value: Any) -> str | list[str]:
    """A form value; a list is the same field given several times."""
    return [str(item) for item in value] if isinstance(value, list) else str(value)
