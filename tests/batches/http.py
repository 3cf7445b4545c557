"""Helpers for the class-import tests: post a class file, run its job, read what was stored."""

from collections.abc import Mapping
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.db.models import Submission, User
from app.jobs.memory import MemoryBackend
from app.submissions.service import UNSTORABLE
from tests.batches.classgen import PROBLEM_SET, GeneratedClass
from tests.conftest import People

API = "/api/v1"


def post_class(
    client: TestClient,
    token: str,
    content: bytes,
    *,
    filename: str = "class.jsonl",
    problem_set: str = PROBLEM_SET,
    **form: bool,
) -> Any:
    """POST a class file with its options; the response."""
    return client.post(
        f"{API}/problem-sets/{problem_set}/batches",
        data={key: str(value).lower() for key, value in form.items()},
        files={"file": (filename, content, "application/octet-stream")},
        headers=People.auth(token),
    )


def accepted(client: TestClient, token: str, content: bytes, **options: Any) -> str:
    """POST a class file that must be accepted; the job id."""
    response = post_class(client, token, content, **options)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "queued"
    assert body["links"]["self"] == f"{API}/jobs/{body['job_id']}"
    job_id: str = body["job_id"]
    return job_id


def job(client: TestClient, token: str, job_id: str) -> Mapping[str, Any]:
    """A job's body, which must be readable."""
    response = client.get(f"{API}/jobs/{job_id}", headers=People.auth(token))
    assert response.status_code == 200, response.text
    body: Mapping[str, Any] = response.json()
    return body


def imported(
    client: TestClient,
    backend: MemoryBackend,
    token: str,
    generated: GeneratedClass,
    **options: bool,
) -> Mapping[str, Any]:
    """Import a generated class through HTTP and run the job; its result, which must be done."""
    job_id = accepted(client, token, generated.content, filename=generated.filename, **options)
    backend.run_pending()
    body = job(client, token, job_id)
    assert body["status"] == "done", body
    assert body["progress"] == 1
    result: Mapping[str, Any] = body["result"]
    return result


def submissions_of(session: Session, logins: set[str]) -> dict[str, list[Submission]]:
    """Every submission of the students with these logins, by login."""
    query = (
        select(User.login, Submission)
        .join(Submission, Submission.user_id == User.id)
        .where(User.login.in_(sorted(logins)), Submission.problem_set == PROBLEM_SET)
        .options(selectinload(Submission.fields))
    )
    found: dict[str, list[Submission]] = {login: [] for login in logins}
    for login, submission in session.execute(query):
        found[str(login)].append(submission)
    return found


def assert_reported(result: Mapping[str, Any], generated: GeneratedClass) -> None:
    """Every bad row of the class is in the result, by line, with its reason."""
    errors = result["errors"]
    assert [error["line"] for error in errors] == [row.line for row in generated.bad]
    for error, row in zip(errors, generated.bad, strict=True):
        assert row.bad is not None and row.bad in error["reason"], (error, row)


def assert_stored_once(session: Session, generated: GeneratedClass) -> None:
    """Every good row stored exactly once, graded as computed, on the published numbers."""
    stored = submissions_of(session, generated.students)
    for row in generated.good:
        assert row.student is not None
        [submission] = [s for s in stored[row.student] if s.fields[0].field != "q4.baseline"]
        assert submission.published and submission.batch_key is not None
        assert submission.total == row.total
        assert {grade.field for grade in submission.fields} == set(row.answers)
        for grade in submission.fields:
            expected = row.results[grade.field]
            assert grade.answer == UNSTORABLE.sub("\ufffd", row.answers[grade.field])
            assert (grade.verdict, grade.score, grade.feedback, grade.note) == (
                expected.verdict,
                expected.score,
                expected.feedback,
                expected.note,
            ), grade.field
