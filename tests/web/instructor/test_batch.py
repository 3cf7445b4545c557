"""Class imports from the browser: the page's call is the API's import (cookie and CSRF header,
the class-file size limit), and its job shows the counts and the bad rows while it runs and
when done; the form works without script too; a refused file or request stores nothing."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.batches.service import CLASS_FILE_BLOB
from app.jobs.memory import MemoryBackend
from app.services import Services
from tests.batches.classgen import generate
from tests.blobs.stored import held_jobs
from tests.conftest import CountRows, People
from tests.web.conftest import SignedIn
from tests.web.instructor.pages import JOB_PATH, SCRIPT, SET, escaped, import_class

BAD_LINE = re.compile(r"<li>Line (\d+)")


def stored_files(session: Session) -> set[str]:
    """The jobs whose class files are stored."""
    return held_jobs(session, CLASS_FILE_BLOB)


def api_job(client: TestClient, people: People, job_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/jobs/{job_id}", headers=People.auth(people.instructor))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_pages_import_is_the_apis_and_its_page_shows_the_outcome(
    teacher: SignedIn, backend: MemoryBackend, client: TestClient, people: People
) -> None:
    generated = generate(12, prefix="web")
    response = import_class(teacher, generated.content, create_students=True)
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    assert backend.submitted == [job_id]
    queued = teacher.client.get(f"/ui/jobs/{job_id}", headers=teacher.headers()).json()
    assert queued["status"] == "queued" and queued["kind"] == "batches.import"

    backend.run_pending()
    result = api_job(client, people, job_id)["result"]
    assert result["stored"] == len(generated.good) and result["failed"] == len(generated.bad)
    assert teacher.client.get(f"/ui/jobs/{job_id}", headers=teacher.headers()).json() == (
        api_job(client, people, job_id)
    )
    page = teacher.client.get(f"/jobs/{job_id}").text
    assert f"<dd>{result['done']} of {result['total']}</dd>" in page
    assert f"<dt>Stored</dt><dd>{result['stored']}</dd>" in page
    assert f"<dt>Students created</dt><dd>{result['created_students']}</dd>" in page
    assert [int(line) for line in BAD_LINE.findall(page)] == [row.line for row in generated.bad]
    for error in result["errors"]:
        assert escaped(error["reason"]) in page


def test_a_bad_rows_student_and_reason_are_text(
    teacher: SignedIn, backend: MemoryBackend, client: TestClient, people: People
) -> None:
    content = f'{{"student": "{SCRIPT.replace(chr(34), chr(39))}", "answers": {{"q9.z": "1"}}}}\n'
    response = import_class(teacher, content.encode())
    assert response.status_code == 202, response.text
    backend.run_pending()
    job_id = response.json()["job_id"]
    [error] = api_job(client, people, job_id)["result"]["errors"]
    page = teacher.client.get(f"/jobs/{job_id}").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert f"(<bdi>{escaped(error['student'])}</bdi>): {escaped(error['reason'])}" in page


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-CSRF-Token": ""}, {"X-CSRF-Token": "0" * 64}],
    ids=["none", "empty", "wrong"],
)
def test_an_import_without_the_csrf_token_stores_nothing(
    teacher: SignedIn,
    backend: MemoryBackend,
    services: Services,
    row_counts: CountRows,
    headers: dict[str, str],
    session: Session,
) -> None:
    before, files = row_counts(), stored_files(session)
    response = teacher.client.post(
        f"/api/v1/problem-sets/{SET}/batches",
        data={"create_students": "true"},
        files={"file": ("class.jsonl", generate(3).content, "application/octet-stream")},
        headers=headers,
    )
    assert response.status_code == 403
    assert response.json()["error"] == "CsrfRefused"
    assert backend.submitted == [] and row_counts() == before and stored_files(session) == files


def test_a_student_cannot_import(
    alice: SignedIn,
    backend: MemoryBackend,
    services: Services,
    row_counts: CountRows,
    session: Session,
) -> None:
    before, files = row_counts(), stored_files(session)
    response = import_class(alice, generate(3).content, create_students=True)
    assert response.status_code == 403
    assert backend.submitted == [] and row_counts() == before and stored_files(session) == files


@pytest.mark.parametrize(
    ("filename", "content", "status", "says"),
    [
        ("class.csv", b"name,q1.a\nada,m x 10\n", 422, "student"),
        ("class.jsonl", b"\xff\xfe not text", 422, "UTF-8"),
        ("class.zip", b"PK\x03\x04 not a zip", 422, "ZIP"),
        ("class.exe", b"MZ", 422, "is not a class file"),
    ],
    ids=["no student column", "not utf-8", "broken zip", "unknown kind"],
)
def test_a_refused_class_file_is_said_and_leaves_nothing(
    teacher: SignedIn,
    backend: MemoryBackend,
    services: Services,
    row_counts: CountRows,
    filename: str,
    content: bytes,
    status: int,
    says: str,
    session: Session,
) -> None:
    before, files = row_counts(), stored_files(session)
    response = import_class(teacher, content, filename=filename)
    assert response.status_code == status, response.text
    assert says in response.json()["detail"]
    form = teacher.client.post(
        f"/sets/{SET}/batch",
        data={"csrf": teacher.csrf},
        files={"file": (filename, content, "application/octet-stream")},
    )
    assert form.status_code == status
    assert "The class file was not imported" in form.text
    assert escaped(response.json()["detail"]) in form.text
    assert backend.submitted == [] and row_counts() == before and stored_files(session) == files


def test_without_script_the_form_leads_to_the_jobs_page(
    teacher: SignedIn, backend: MemoryBackend, client: TestClient, people: People
) -> None:
    generated = generate(4, prefix="plain")
    response = teacher.client.post(
        f"/sets/{SET}/batch",
        data={"csrf": teacher.csrf, "create_students": "true"},
        files={"file": (generated.filename, generated.content, "application/octet-stream")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    found = JOB_PATH.match(response.headers["location"])
    assert found is not None and backend.submitted == [found.group(1)]
    waiting = teacher.client.get(response.headers["location"]).text
    assert "Waiting to start." in waiting
    backend.run_pending()
    result = api_job(client, people, found.group(1))["result"]
    done = teacher.client.get(response.headers["location"]).text
    assert f"<dt>Stored</dt><dd>{result['stored']}</dd>" in done
    assert result["stored"] == len(generated.good)


def test_the_batch_page_offers_the_form(teacher: SignedIn) -> None:
    page = teacher.client.get(f"/sets/{SET}/batch").text
    assert f'data-upload-url="/api/v1/problem-sets/{SET}/batches"' in page
    assert '<label for="batch-file">' in page and 'id="batch-file" name="file"' in page
    for name in ("create_students", "published_numbers"):
        assert f'name="{name}" value="true"' in page
    assert '<progress id="batch-upload"' in page and '<progress id="batch-rows"' in page


def test_both_import_routes_take_a_class_file_over_the_body_limit(
    teacher: SignedIn, services: Services, backend: MemoryBackend
) -> None:
    content = b"x" * (services.settings.max_body_bytes + 1)
    response = import_class(teacher, content, filename="class.csv")
    form = teacher.client.post(
        f"/sets/{SET}/batch",
        data={"csrf": teacher.csrf},
        files={"file": ("class.csv", content, "application/octet-stream")},
    )
    # Read whole and refused as a class file, not for its size.
    assert response.status_code == form.status_code == 422, response.text
    assert "The class file was not imported" in form.text
    assert backend.submitted == []
