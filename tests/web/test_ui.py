"""The calls the pages' script makes: the same preview as the API, uploads (to the API's route,
with the page's session) that queue an evaluation, and jobs that only their owner can follow."""

from dataclasses import replace

import pytest
import safetensors.torch
import torch
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from app.checkpoints.service import CHECKPOINT_BLOB
from app.jobs.memory import MemoryBackend
from app.services import Services
from tests.blobs.stored import held_jobs
from tests.conftest import HOSTILE_KEYS, People, error_body, sent_as_json
from tests.jobs.conftest import units_in
from tests.web.conftest import SignedIn, sign_in

SET = "dl-ex1"
PREVIEWED = {
    "q1.a": "m x 10",
    "q3.a": r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \hat{x}_i",
    "q3.c": r"\frac{\partial f}{\partial y_i",
    "q1.e": "<script>alert(1)</script>",
}
TINY = safetensors.torch.save({"w": torch.zeros(1)})


@pytest.fixture
def backend(app: FastAPI, services: Services, session: Session) -> MemoryBackend:
    """Jobs the uploads queue, held until the test runs them."""
    held = MemoryBackend(units_in(session), services.job_kinds)
    app.state.services = replace(services, jobs=held)
    return held


def uploads(session: Session) -> set[str]:
    return held_jobs(session, CHECKPOINT_BLOB)


def upload(browser: SignedIn, content: bytes, *, filename: str = "model.safetensors") -> Response:
    return browser.client.post(
        f"/api/v1/problem-sets/{SET}/checkpoints",
        data={"field": "q4.baseline", "pool": "", "mean": "0.2860", "std": "0.3530"},
        files={"file": (filename, content, "application/octet-stream")},
        headers=browser.headers(),
    )


def test_the_page_preview_is_the_apis_preview(
    alice: SignedIn, client: TestClient, people: People
) -> None:
    body = {"answers": PREVIEWED}
    page = alice.client.post(f"/ui/problem-sets/{SET}/preview", json=body, headers=alice.headers())
    api = client.post(
        f"/api/v1/problem-sets/{SET}/preview", json=body, headers=People.auth(people.alice)
    )
    assert page.status_code == api.status_code == 200
    assert page.json() == api.json()
    statuses = {field["field"]: field["status"] for field in page.json()["fields"]}
    assert statuses == {"q1.a": "parsed", "q1.e": "invalid", "q3.a": "parsed", "q3.c": "invalid"}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"answers": {"q1.a": "x" * 2001}}, 422),
        ({"answers": {"q9.z": "1"}}, 422),
        ({"answers": {"q1.a": 1}}, 422),
        ({"answers": {"q1.a": "m"}, "extra": 1}, 422),
        ({}, 422),
    ],
    ids=["too long", "unknown field", "not text", "extra key", "empty"],
)
def test_a_preview_the_api_refuses_is_refused_the_same_way(
    alice: SignedIn, body: dict[str, object], status: int
) -> None:
    response = alice.client.post(
        f"/ui/problem-sets/{SET}/preview", json=body, headers=alice.headers()
    )
    assert response.status_code == status
    assert set(response.json()) >= {"error", "detail"}


@pytest.mark.parametrize(
    ("key", "echoed"), [row[1:] for row in HOSTILE_KEYS], ids=[row[0] for row in HOSTILE_KEYS]
)
def test_a_hostile_field_id_in_a_page_preview_is_refused_in_the_error_shape(
    alice: SignedIn, key: str, echoed: str
) -> None:
    headers = {**alice.headers(), "Content-Type": "application/json"}
    body = sent_as_json({"answers": {key: "m"}})
    response = alice.client.post(f"/ui/problem-sets/{SET}/preview", content=body, headers=headers)
    assert response.status_code == 422, response.text
    refusal = error_body(response)
    assert (refusal["error"], refusal["fields"]) == ("UnknownField", [echoed])


def test_a_preview_needs_a_session(app: FastAPI) -> None:
    client = TestClient(app, base_url="https://testserver")
    response = client.post(f"/ui/problem-sets/{SET}/preview", json={"answers": {"q1.a": "m"}})
    assert response.status_code == 401


def test_an_upload_queues_an_evaluation_its_owner_follows(
    alice: SignedIn, bob: SignedIn, backend: MemoryBackend
) -> None:
    response = upload(alice, TINY)
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    assert backend.submitted == [job_id]
    queued = alice.client.get(f"/ui/jobs/{job_id}", headers=alice.headers())
    assert queued.status_code == 200
    assert queued.json()["status"] == "queued"
    assert queued.json()["declared"]["preprocessing"] == {"mean": 0.2860, "std": 0.3530}
    assert bob.client.get(f"/ui/jobs/{job_id}", headers=bob.headers()).status_code == 404

    backend.run_pending()
    failed = alice.client.get(f"/ui/jobs/{job_id}", headers=alice.headers()).json()
    # Not a LeNet-5: the evaluation fails and says why.
    assert failed["status"] == "failed" and failed["error"]["detail"]


def test_an_upload_without_the_csrf_header_stores_nothing(
    alice: SignedIn, services: Services, backend: MemoryBackend, session: Session
) -> None:
    before = uploads(session)
    response = alice.client.post(
        f"/api/v1/problem-sets/{SET}/checkpoints",
        data={"field": "q4.baseline"},
        files={"file": ("model.safetensors", TINY, "application/octet-stream")},
    )
    assert response.status_code == 403
    assert uploads(session) == before and backend.submitted == []


@pytest.mark.parametrize(
    ("filename", "status"),
    [("model.pkl", 415), ("model.txt", 415), ("<script>.pt", 422)],
)
def test_a_refused_upload_says_why_and_keeps_nothing(
    alice: SignedIn,
    services: Services,
    backend: MemoryBackend,
    filename: str,
    status: int,
    session: Session,
) -> None:
    before = uploads(session)
    response = upload(alice, b"not a model", filename=filename)
    assert response.status_code == status
    assert response.json()["detail"]
    assert uploads(session) == before and backend.submitted == []


def test_a_page_upload_has_the_model_size_limit_not_the_body_limit(
    alice: SignedIn, services: Services, backend: MemoryBackend
) -> None:
    over_the_body_limit = b"x" * (services.settings.max_body_bytes + 1)
    response = upload(alice, over_the_body_limit)
    # Read whole and screened: not a model, but not refused for its size.
    assert response.status_code == 422, response.text
    assert response.json()["error"] != "PayloadTooLarge"


def test_an_oversize_body_elsewhere_is_refused(alice: SignedIn, services: Services) -> None:
    big = "x" * (services.settings.max_body_bytes + 1)
    response = alice.client.post(
        f"/ui/problem-sets/{SET}/preview", content=big, headers=alice.headers()
    )
    assert response.status_code == 413


def test_an_instructor_follows_any_job(
    app: FastAPI, alice: SignedIn, people: People, backend: MemoryBackend
) -> None:
    job_id = upload(alice, TINY).json()["job_id"]
    instructor = sign_in(app, people.instructor)
    response = instructor.client.get(f"/ui/jobs/{job_id}", headers=instructor.headers())
    assert response.status_code == 200
