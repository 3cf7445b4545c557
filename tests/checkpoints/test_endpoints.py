"""Checkpoint uploads through HTTP, on SQLite and PostgreSQL: honest models are measured
exactly and graded into the student's record; hostile, refused, misshapen and oversize uploads
fail clearly and leave nothing behind; students see only their own jobs."""

import hashlib
import io
import pickle
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import safetensors.torch
import torch
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.checkpoints.architecture import LeNetOptions, build
from app.checkpoints.service import CHECKPOINT_BLOB
from app.config import Settings
from app.db.engine import committed
from app.jobs.inprocess import SandboxExecutor
from app.jobs.memory import MemoryBackend
from app.main import create_app
from app.services import Services
from tests.blobs.stored import held_jobs
from tests.checkpoints.http import API, DL_EX1, accepted, finished, job, upload
from tests.checkpoints.trained import Trained
from tests.conftest import CountRows, People
from tests.jobs.conftest import units_in

TINY = safetensors.torch.save({"w": torch.zeros(1)})


def uploads(session: Session) -> set[str]:
    """The jobs whose uploaded models are stored."""
    return held_jobs(session, CHECKPOINT_BLOB)


# -- honest checkpoints ------------------------------------------------------------------------


def test_an_honest_checkpoint_is_measured_exactly_and_graded(
    job_client: TestClient,
    backend: MemoryBackend,
    services: Services,
    people: People,
    trained: dict[str, Trained],
    session: Session,
) -> None:
    model = trained["plain"]
    job_id = accepted(
        job_client,
        people.alice,
        model.safetensors_bytes,
        mean=0.2860,
        std=0.3530,
        claimed_test_accuracy=f"{100 * model.test_accuracy:.2f}%",
    )
    waiting = job(job_client, people.alice, job_id).json()
    assert (waiting["status"], waiting["progress"], waiting["queue_position"]) == ("queued", 0, 0)
    assert waiting["result"] is None and waiting["submission_id"] is None
    body = finished(job_client, backend, people.alice, job_id)
    assert body["status"] == "done", body
    result = body["result"]
    assert result["test"]["accuracy"] == model.test_accuracy
    assert result["test"]["count"] == 10_000
    assert result["test"]["ci_low"] < model.test_accuracy < result["test"]["ci_high"]
    assert sum(map(sum, result["test"]["confusion"])) == 10_000
    assert result["train"] is None
    assert result["options"]["padding"] == 2 and result["options"]["batchnorm"] == "none"
    assert any("inferred" in note for note in result["notes"])
    assert result["grade"]["verdict"] in ("correct", "partial")
    assert body["upload"]["bytes"] == len(model.safetensors_bytes)
    assert body["submission_id"] is not None
    stored = job_client.get(
        f"{API}/submissions/{body['submission_id']}", headers=People.auth(people.alice)
    ).json()
    [grade] = stored["fields"]
    assert grade["field"] == "q4.baseline"
    assert grade["max_score"] == 12.5
    assert grade["score"] == stored["total"] == result["grade"]["score"]
    assert grade["feedback"] == result["grade"]["feedback"]
    assert f"{100 * model.test_accuracy:.2f}" in grade["parsed"]
    assert job_id in grade["answer"] and body["upload"]["sha256"] in grade["answer"]
    assert body["upload"]["sha256"] == hashlib.sha256(model.safetensors_bytes).hexdigest()
    assert job_id not in uploads(session)


def test_a_pt_state_dict_with_declared_options_and_train_accuracy(
    job_client: TestClient, backend: MemoryBackend, people: People, trained: dict[str, Trained]
) -> None:
    model = trained["bn_after"]
    job_id = accepted(
        job_client,
        people.alice,
        model.pt_bytes,
        filename="bn.pt",
        field="q4.batchnorm",
        batchnorm="after",
        padding=2,
        pool="max",
        activation="relu",
        mean="0.2860",
        std="0.3530",
        claimed_train_accuracy="0.5",
        claimed_test_accuracy="0.5",
    )
    body = finished(job_client, backend, people.alice, job_id)
    assert body["status"] == "done", body
    assert body["declared"]["batchnorm"] == "after"
    assert body["claims"] == {"test_accuracy": 0.5, "train_accuracy": 0.5}
    result = body["result"]
    assert result["test"]["accuracy"] == model.test_accuracy
    assert result["train"]["count"] == 60_000
    # Half claimed against ~80 % measured: the integrity check speaks up.
    assert "claim" in result["grade"]["feedback"].lower()


def test_declared_dropout_reaches_the_grade(
    job_client: TestClient, backend: MemoryBackend, people: People, trained: dict[str, Trained]
) -> None:
    model = trained["tanh_dropout"]
    job_id = accepted(
        job_client,
        people.alice,
        model.safetensors_bytes,
        field="q4.dropout",
        activation="tanh",
        dropout="0,0.3",
        mean=model.preprocessing.mean,
        std=model.preprocessing.std,
    )
    body = finished(job_client, backend, people.alice, job_id)
    assert body["status"] == "done", body
    assert body["declared"]["dropout"] == [0.0, 0.3]
    assert body["result"]["test"]["accuracy"] == model.test_accuracy
    assert "dropout" not in body["result"]["grade"]["feedback"].lower()


def test_checkpoints_join_the_submissions_and_the_grade_book(
    job_client: TestClient, backend: MemoryBackend, people: People, trained: dict[str, Trained]
) -> None:
    text = job_client.post(
        f"{API}/problem-sets/{DL_EX1}/submissions",
        json={"answers": {"q2.total": "999"}},
        headers=People.auth(people.alice),
    )
    assert text.status_code == 201, text.text
    scores = {}
    for field, name in [("q4.baseline", "plain"), ("q4.batchnorm", "bn_after")]:
        model = trained[name]
        job_id = accepted(
            job_client, people.alice, model.safetensors_bytes, field=field, mean=0.286, std=0.353
        )
        body = finished(job_client, backend, people.alice, job_id)
        assert body["status"] == "done", body
        scores[field] = body["result"]["grade"]["score"]
    listed = job_client.get(
        f"{API}/problem-sets/{DL_EX1}/submissions", headers=People.auth(people.alice)
    ).json()["items"]
    assert len(listed) == 3
    book = job_client.get(
        f"{API}/problem-sets/{DL_EX1}/grades", headers=People.auth(people.instructor)
    ).json()
    alice = next(row for row in book["grades"] if row["student_id"] == people.alice_id)
    assert alice["submission_id"] == text.json()["submission_id"]
    assert alice["checkpoints"] == pytest.approx(scores)
    assert alice["score"] == pytest.approx(text.json()["score"] + sum(scores.values()))


# -- hostile and refused uploads ---------------------------------------------------------------


class CreatesFile:
    """A pickle that, if it were ever unpickled, would create a file."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (str(self.target), "w"))


def test_a_malicious_pickle_is_refused_on_upload_and_creates_no_file(
    job_client: TestClient,
    backend: MemoryBackend,
    services: Services,
    people: People,
    tmp_path: Path,
    row_counts: CountRows,
    session: Session,
) -> None:
    target = tmp_path / "pwned"
    payloads = {
        "raw.pt": pickle.dumps(CreatesFile(target)),
        "\u202eraw.PTH": pickle.dumps(CreatesFile(target), protocol=2),
        "saved.pt": _torch_saved({"conv1.weight": CreatesFile(target)}),
    }
    before, stored = row_counts(), uploads(session)
    for filename, content in payloads.items():
        response = upload(job_client, people.alice, content, filename=filename)
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "CheckpointRejected"
        assert "can run code" in response.json()["detail"]
        assert "state_dict" in response.json()["detail"]
    assert not target.exists()
    assert backend.submitted == []
    assert (row_counts(), uploads(session)) == (before, stored)


def _torch_saved(obj: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("model.pt2", "torch.export"),
        ("model.ts", "TorchScript"),
        ("scripted.zip", "TorchScript"),
        ("model.pkl", "pickle"),
        ("model.onnx", "ONNX"),
        ("model.h5", "safetensors"),
        ("model", "safetensors"),
        ("model.safetensors.exe", "safetensors"),
        ("\u202emodel.pt2", "torch.export"),
    ],
)
def test_formats_that_can_run_code_are_refused_by_name(
    job_client: TestClient,
    backend: MemoryBackend,
    services: Services,
    people: People,
    row_counts: CountRows,
    filename: str,
    message: str,
    session: Session,
) -> None:
    before, stored = row_counts(), uploads(session)
    response = upload(job_client, people.alice, b"\x00" * 100, filename=filename)
    assert response.status_code == 415, response.text
    assert response.json()["error"] == "UnsupportedMediaType"
    assert message in response.json()["detail"]
    assert "state_dict" in response.json()["detail"]
    assert backend.submitted == []
    assert (row_counts(), uploads(session)) == (before, stored)


def _scripted() -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # TorchScript is deprecated, which is the point: the test only needs such a file.
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), buffer)
    return buffer.getvalue()


def _exported() -> bytes:
    buffer = io.BytesIO()
    program = torch.export.export(torch.nn.Linear(2, 2), (torch.zeros(1, 2),))
    torch.export.save(program, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "named"),
    [(_scripted, "TorchScript"), (_exported, "torch.export")],
    ids=["torchscript", "torch.export"],
)
def test_code_archives_renamed_to_pt_are_refused_on_upload(
    job_client: TestClient, backend: MemoryBackend, people: People, make: Any, named: str
) -> None:
    response = upload(job_client, people.alice, make(), filename="innocent.pt")
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "CheckpointRejected"
    assert named in response.json()["detail"]
    assert "safetensors" in response.json()["detail"]
    assert backend.submitted == []


def test_a_model_that_fails_evaluation_leaves_no_file_but_its_digest(
    job_client: TestClient,
    backend: MemoryBackend,
    services: Services,
    people: People,
    session: Session,
) -> None:
    job_id = accepted(job_client, people.alice, TINY)
    assert job_id in uploads(session)
    body = finished(job_client, backend, people.alice, job_id)
    assert (body["status"], body["error"]["error"]) == ("failed", "ArchitectureMismatch")
    assert job_id not in uploads(session)
    digest = hashlib.sha256(TINY).hexdigest()
    assert body["upload"] == {"filename": "model.safetensors", "bytes": len(TINY), "sha256": digest}


def test_wrong_shapes_are_reported_key_by_key(
    job_client: TestClient, backend: MemoryBackend, people: People
) -> None:
    state = build(LeNetOptions()).state_dict()
    state["fc2.weight"] = torch.zeros(80, 120)
    del state["fc3.weight"]
    job_id = accepted(job_client, people.alice, _torch_saved(state), filename="bad.pt", padding=2)
    body = finished(job_client, backend, people.alice, job_id)
    assert body["status"] == "failed", body
    error = body["error"]
    assert error["error"] == "ArchitectureMismatch"
    problems = {(p["key"], p["problem"]) for p in error["problems"]}
    assert ("fc2.weight", "wrong shape") in problems
    assert ("fc3.weight", "missing") in problems
    assert "fc2.weight" in error["detail"] and "fc3.weight" in error["detail"]


def test_an_oversize_upload_is_refused_while_it_is_read(
    services: Services, session: Session, people: People, row_counts: CountRows
) -> None:
    limit = 5_000
    settings = services.settings.model_copy(update={"max_checkpoint_bytes": limit})
    backend = MemoryBackend(units_in(session), services.job_kinds)
    client = client_with(services, session, settings, backend)
    before, stored = row_counts(), uploads(session)
    for size in (limit + 1, limit + 100_000):
        response = upload(client, people.alice, b"\x01" * size, filename="big.safetensors")
        assert response.status_code == 413, response.text
        assert response.json()["error"] == "PayloadTooLarge"
    assert upload(client, people.alice, exactly(limit)).status_code == 202
    assert row_counts().users == before.users
    assert len(uploads(session) - stored) == 1
    assert len(backend.submitted) == 1


def client_with(
    services: Services, session: Session, settings: Settings, backend: MemoryBackend
) -> TestClient:
    """A client of an app with other settings, whose uploads queue on `backend`."""
    app = create_app(settings)
    app.state.services = replace(services, settings=settings, jobs=backend)
    app.dependency_overrides.update(_session_override(session))
    return TestClient(app, raise_server_exceptions=False)


def exactly(size: int) -> bytes:
    """A well-formed safetensors file of exactly `size` bytes (tensor contents are not checked
    on upload; the worker does that)."""
    for elements in range(size // 4, 0, -1):
        data = safetensors.torch.save({"w": torch.zeros(elements, dtype=torch.uint8)})
        if len(data) <= size:
            padding = size - len(data)
            return safetensors.torch.save({"w": torch.zeros(elements + padding, dtype=torch.uint8)})
    raise AssertionError("too small")


def _session_override(session: Session) -> dict[Any, Any]:
    from app.deps import get_session

    def test_session() -> Iterator[Session]:
        with committed(session) as unit:
            yield unit

    return {get_session: test_session}


# -- bad forms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "status", "field"),
    [
        ({"field": "q1.a"}, 422, "field"),
        ({"field": "q4.nonexistent"}, 422, "field"),
        ({"field": "../../etc/passwd"}, 422, "field"),
        ({"field": "__import__('os')"}, 422, "field"),
        ({"field": None}, 422, "field"),
        ({"padding": 3}, 422, "padding"),
        ({"pool": "mean"}, 422, "pool"),
        ({"activation": "gelu"}, 422, "activation"),
        ({"batchnorm": "sometimes"}, 422, "batchnorm"),
        ({"dropout": "0.3,0.3,0.3"}, 422, "dropout"),
        ({"dropout": "1.5"}, 422, "dropout"),
        ({"dropout": ["0.3", "0.5"]}, 422, "dropout"),
        ({"dropout": "0.3;rm"}, 422, "dropout"),
        ({"mean": "nan"}, 422, "mean"),
        ({"std": "0"}, 422, "std"),
        ({"std": "1e400"}, 422, "std"),
        ({"claimed_test_accuracy": "abc"}, 422, "claimed_test_accuracy"),
        ({"claimed_test_accuracy": "150"}, 422, "claimed_test_accuracy"),
        ({"claimed_test_accuracy": "-0.5"}, 422, "claimed_test_accuracy"),
        ({"claimed_test_accuracy": "inf"}, 422, "claimed_test_accuracy"),
        ({"claimed_train_accuracy": "9" * 500}, 422, "claimed_train_accuracy"),
        ({"evaluate_train": "maybe"}, 422, "evaluate_train"),
        ({"surprise": "1"}, 422, "surprise"),
    ],
)
def test_bad_form_fields_are_refused_and_store_nothing(
    job_client: TestClient,
    backend: MemoryBackend,
    services: Services,
    people: People,
    row_counts: CountRows,
    form: dict[str, Any],
    status: int,
    field: str,
    session: Session,
) -> None:
    before, stored = row_counts(), uploads(session)
    response = upload(job_client, people.alice, TINY, **form)
    assert response.status_code == status, response.text
    assert field in response.json().get("fields", []), response.json()
    assert backend.submitted == []
    assert (row_counts(), uploads(session)) == (before, stored)


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"json": {"field": "q4.baseline"}}, 415),
        ({"content": b"field=q4.baseline", "headers": {"Content-Type": "text/plain"}}, 415),
        ({"data": {"field": "q4.baseline"}}, 415),
    ],
)
def test_an_upload_must_be_multipart_with_a_file(
    job_client: TestClient, people: People, kwargs: dict[str, Any], status: int
) -> None:
    headers = {**People.auth(people.alice), **kwargs.pop("headers", {})}
    response = job_client.post(
        f"{API}/problem-sets/{DL_EX1}/checkpoints", headers=headers, **kwargs
    )
    assert response.status_code == status, response.text


def test_a_multipart_form_without_a_file_is_422(job_client: TestClient, people: People) -> None:
    response = job_client.post(
        f"{API}/problem-sets/{DL_EX1}/checkpoints",
        data={"field": "q4.baseline"},
        files={"other": ("x.txt", b"x", "text/plain")},
        headers=People.auth(people.alice),
    )
    assert response.status_code == 422, response.text
    assert "file" in response.json()["fields"]


@pytest.mark.parametrize(
    ("claim", "fraction"),
    [("0.891", 0.891), ("89.1", 0.891), ("89.1%", 0.891), (" 89.1 % ", 0.891), ("1", 1.0)],
)
def test_claims_read_as_fractions_or_percentages(
    job_client: TestClient, people: People, claim: str, fraction: float
) -> None:
    job_id = accepted(job_client, people.alice, TINY, claimed_test_accuracy=claim)
    claims = job(job_client, people.alice, job_id).json()["claims"]
    assert claims["test_accuracy"] == pytest.approx(fraction)


# -- who sees what; limits --------------------------------------------------------------------


def test_students_see_only_their_own_jobs(job_client: TestClient, people: People) -> None:
    job_id = accepted(job_client, people.alice, TINY)
    assert job(job_client, people.alice, job_id).status_code == 200
    assert job(job_client, people.instructor, job_id).status_code == 200
    theirs = job(job_client, people.bob, job_id)
    missing = job(job_client, people.bob, "00000000-0000-0000-0000-000000000000")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["error"] == "NotFound"
    assert job(job_client, people.alice, "../../etc").status_code in (404, 422)
    assert job_client.get(f"{API}/jobs/{job_id}").status_code == 401


def test_pending_evaluations_per_student_are_bounded(
    job_client: TestClient, backend: MemoryBackend, people: People
) -> None:
    from app.checkpoints.service import MAX_PENDING_JOBS

    for _ in range(MAX_PENDING_JOBS):
        accepted(job_client, people.alice, TINY)
    refused = upload(job_client, people.alice, TINY)
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    assert upload(job_client, people.bob, TINY).status_code == 202


def test_the_bytes_of_waiting_evaluations_per_student_are_bounded(
    services: Services,
    session: Session,
    people: People,
    sandbox: SandboxExecutor,
    row_counts: CountRows,
) -> None:
    settings = services.settings.model_copy(update={"max_pending_upload_bytes": 2_500_000})
    backend = MemoryBackend(units_in(session), services.job_kinds, execute=sandbox)
    client = client_with(services, session, settings, backend)
    model = exactly(1_000_000)
    for _ in range(3):  # 2 MB waiting is under the limit, so the third is taken
        accepted(client, people.alice, model)
    before, stored, queued = row_counts(), uploads(session), list(backend.submitted)
    refused = upload(client, people.alice, model)
    assert refused.status_code == 429, refused.text
    assert refused.headers["Retry-After"] == "30"
    body = refused.json()
    assert body["error"] == "RateLimited"
    assert "3.0 MB" in body["detail"] and "2.5 MB" in body["detail"]
    assert "upload again when one has finished" in body["detail"]
    assert (row_counts(), uploads(session), backend.submitted) == (before, stored, queued)
    assert upload(client, people.bob, model).status_code == 202
    backend.run_pending()
    assert upload(client, people.alice, model).status_code == 202
