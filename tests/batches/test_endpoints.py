"""Class imports through HTTP, on SQLite and PostgreSQL: a 300-student class from every format
is stored once with the scores computed independently, bad rows are reported by line, importing
again stores nothing, and files that cannot be read are refused at once and leave nothing."""

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.batches.service import CLASS_FILE_BLOB
from app.db.engine import committed
from app.db.models import Job, User
from app.deps import get_session
from app.jobs import service as jobs_service
from app.jobs.memory import MemoryBackend
from app.main import create_app
from app.services import Services
from tests.batches.classgen import PROBLEM_SET, generate
from tests.batches.http import (
    accepted,
    assert_reported,
    assert_stored_once,
    imported,
    job,
    post_class,
)
from tests.blobs.stored import held_jobs, lose, replace_content
from tests.conftest import CountRows, People
from tests.jobs.conftest import units_in


def stored_files(session: Session) -> set[str]:
    """The jobs whose class files are stored."""
    return held_jobs(session, CLASS_FILE_BLOB)


def job_count(session: Session) -> int:
    """How many jobs there are."""
    return session.scalar(select(func.count()).select_from(Job)) or 0


@pytest.mark.parametrize("format", ["jsonl", "csv", "zip"])
def test_a_class_is_imported_once_from_every_format(
    job_client: TestClient,
    backend: MemoryBackend,
    services: Services,
    session: Session,
    people: People,
    row_counts: CountRows,
    format: Any,
) -> None:
    generated = generate(300, format=format)
    before, files = row_counts(), stored_files(session)
    result = imported(job_client, backend, people.instructor, generated, create_students=True)
    assert result["format"] == format
    assert result["total"] == result["done"] == len(generated.rows)
    assert (result["stored"], result["unchanged"], result["failed"]) == (
        len(generated.good),
        0,
        len(generated.bad),
    )
    assert result["created_students"] == len(generated.students) == 300
    assert result["evaluations"] == []
    assert_reported(result, generated)
    assert_stored_once(session, generated)
    after = row_counts()
    assert after.users == before.users + 300
    assert after.submissions == before.submissions + 300
    # The class file's copy is removed once the import is done.
    assert stored_files(session) == files

    again = imported(job_client, backend, people.instructor, generated, create_students=True)
    assert (again["stored"], again["unchanged"], again["failed"]) == (0, 300, len(generated.bad))
    assert again["created_students"] == 0
    assert again["errors"] == result["errors"]
    assert row_counts() == after


def test_students_created_before_are_found_without_create_students(
    job_client: TestClient, backend: MemoryBackend, session: Session, people: People
) -> None:
    generated = generate(40, format="csv")
    first = imported(job_client, backend, people.instructor, generated, create_students=True)
    assert first["stored"] == 40
    # Found by login now, graded on their own numbers, yet the work is the same: not again.
    again = imported(job_client, backend, people.instructor, generated)
    assert (again["stored"], again["unchanged"], again["created_students"]) == (0, 40, 0)
    assert_stored_once(session, generated)


def test_without_create_students_unknown_students_are_bad_rows(
    job_client: TestClient, backend: MemoryBackend, people: People, row_counts: CountRows
) -> None:
    generated = generate(5)
    before = row_counts()
    result = imported(job_client, backend, people.instructor, generated)
    assert result["stored"] == 0
    assert result["failed"] == len(generated.rows)
    good_lines = {row.line for row in generated.good}
    unknown = [error for error in result["errors"] if error["line"] in good_lines]
    assert [error["student"] for error in unknown] == [row.student for row in generated.good]
    assert all("import with create_students" in error["reason"] for error in unknown)
    assert row_counts() == before


def test_the_job_shows_its_counts_while_it_runs(
    job_client: TestClient,
    backend: MemoryBackend,
    services: Services,
    session: Session,
    people: People,
) -> None:
    generated = generate(70)
    job_id = accepted(
        job_client,
        people.instructor,
        generated.content,
        filename=generated.filename,
        create_students=True,
    )
    assert job(job_client, people.instructor, job_id)["result"] is None
    seen: list[Any] = []

    def look() -> bool:
        seen.append(job(job_client, people.instructor, job_id))
        return False

    jobs_service.process(
        units_in(session),
        services.job_kinds,
        job_id,
        lambda kind, spec: kind.run(spec),
        queue=backend.submit,
        stopping=look,
    )
    # One look between chunks of 32 rows: 3 chunks for 70 students.
    assert [body["status"] for body in seen] == ["running"] * 2
    done = [body["result"]["done"] for body in seen]
    bad = len(generated.bad)
    assert done == [bad + 32, bad + 64]
    progress = [body["progress"] for body in seen]
    assert 0.1 < progress[0] < progress[1] < 1
    final = job(job_client, people.instructor, job_id)
    assert final["status"] == "done" and final["result"]["done"] == len(generated.rows)


def test_an_interrupted_import_is_queued_again_and_finishes_without_duplicates(
    job_client: TestClient,
    backend: MemoryBackend,
    services: Services,
    session: Session,
    people: People,
) -> None:
    generated = generate(70)
    job_id = accepted(
        job_client,
        people.instructor,
        generated.content,
        filename=generated.filename,
        create_students=True,
    )
    looks = iter([False, True])
    jobs_service.process(
        units_in(session),
        services.job_kinds,
        job_id,
        lambda kind, spec: kind.run(spec),
        queue=backend.submit,
        stopping=lambda: next(looks),
    )
    stopped = job(job_client, people.instructor, job_id)
    assert stopped["status"] == "queued"
    assert stopped["result"]["stored"] == 64
    # Queued again, it reads its class file again; done, it needs it no more.
    assert job_id in stored_files(session)
    backend.submit(job_id)
    backend.run_pending()
    assert job_id not in stored_files(session)
    result = job(job_client, people.instructor, job_id)["result"]
    # The students it created before it stopped still count as created by it, on the
    # published numbers.
    assert (result["stored"], result["unchanged"], result["created_students"]) == (6, 64, 70)
    assert_stored_once(session, generated)


def test_a_job_whose_class_file_is_gone_is_not_resumed(
    job_client: TestClient, services: Services, session: Session, people: People
) -> None:
    generated = generate(3)
    job_id = accepted(job_client, people.instructor, generated.content)
    lose(session, job_id)
    assert job_id not in jobs_service.resume(units_in(session), services.job_kinds)
    body = job(job_client, people.instructor, job_id)
    assert body["status"] == "failed"
    assert body["error"]["error"] == "JobLost"
    assert "import it again" in body["error"]["detail"]


def fail_on_reading(
    services: Services, session: Session, backend: MemoryBackend, job_id: str
) -> None:
    """The stored class file reads as empty: the job fails."""
    replace_content(session, job_id, b"\n \n\n")
    backend.run_pending()


def give_up(services: Services, session: Session, backend: MemoryBackend, job_id: str) -> None:
    """The job was cut off too often: the next start fails it."""
    stored = session.get(Job, job_id)
    assert stored is not None
    stored.status, stored.attempts = "running", jobs_service.MAX_ATTEMPTS
    session.commit()
    assert job_id not in jobs_service.resume(units_in(session), services.job_kinds)


@pytest.mark.parametrize(
    ("end", "error"), [(fail_on_reading, "InvalidRequest"), (give_up, "JobLost")]
)
def test_an_import_that_fails_removes_its_class_file(
    job_client: TestClient,
    backend: MemoryBackend,
    services: Services,
    session: Session,
    people: People,
    end: Any,
    error: str,
) -> None:
    job_id = accepted(job_client, people.instructor, generate(3).content)
    assert job_id in stored_files(session)
    end(services, session, backend, job_id)
    body = job(job_client, people.instructor, job_id)
    assert (body["status"], body["error"]["error"]) == ("failed", error)
    assert job_id not in stored_files(session)


def test_only_instructors_import(
    job_client: TestClient,
    backend: MemoryBackend,
    services: Services,
    people: People,
    session: Session,
) -> None:
    generated, files = generate(3), stored_files(session)
    refused = post_class(job_client, people.alice, generated.content, create_students=True)
    assert refused.status_code == 403, refused.text
    anonymous = job_client.post(
        f"/api/v1/problem-sets/{PROBLEM_SET}/batches",
        files={"file": ("class.jsonl", generated.content)},
    )
    assert anonymous.status_code == 401
    assert backend.submitted == [] and stored_files(session) == files


def test_an_import_must_be_multipart(job_client: TestClient, people: People) -> None:
    response = job_client.post(
        f"/api/v1/problem-sets/{PROBLEM_SET}/batches",
        json={"student": "ada", "answers": {"q1.a": "m x 10"}},
        headers=People.auth(people.instructor),
    )
    assert response.status_code == 415, response.text
    body = response.json()
    assert body["error"] == "UnsupportedMediaType"
    # The message shows how to send a class file, not a model.
    assert "the class file" in body["detail"] and "-F file=@class.csv" in body["detail"]
    assert "model" not in body["detail"]


UNREADABLE = [
    ("class.txt", b'{"student": "ada", "answers": {"q1.a": "m x 10"}}\n', 422, "not a class file"),
    ("class.csv", b"name,q1.a\nada,m x 10\n", 422, "no column called 'student'"),
    ("class.csv", b"student,q9.z\nada,1\n", 422, "not fields of the problem set"),
    ("class.csv", b'student,q1.a\nada,"m x 10\n', 422, "not valid CSV"),
    ("class.zip", b"PK\x03\x04" + b"\x00" * 64, 422, "ZIP"),
    ("class.jsonl", b"", 422, "empty"),
    ("class.jsonl", b"\n \n\n", 422, "holds no rows"),
    ("class.jsonl", b'{"student": "\xff\xfe"}\n', 422, "not UTF-8"),
    ("class", b'{"student": "ada", "answers": {"q1.a": "m x 10"}}\n', 422, "not a class file"),
]


@pytest.mark.parametrize(("filename", "content", "status", "words"), UNREADABLE)
def test_a_file_that_cannot_be_read_is_refused_and_stores_nothing(
    job_client: TestClient,
    backend: MemoryBackend,
    services: Services,
    session: Session,
    people: People,
    filename: str,
    content: bytes,
    status: int,
    words: str,
) -> None:
    jobs_before, stored = job_count(session), stored_files(session)
    response = job_client.post(
        f"/api/v1/problem-sets/{PROBLEM_SET}/batches",
        files={"file": (filename, content)},
        data={"create_students": "true"},
        headers=People.auth(people.instructor),
    )
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert stored_files(session) == stored
    assert job_count(session) == jobs_before and backend.submitted == []


def test_an_unknown_problem_set_is_404_and_stores_nothing(
    job_client: TestClient, services: Services, people: People, session: Session
) -> None:
    files = stored_files(session)
    response = post_class(job_client, people.instructor, generate(3).content, problem_set="nope")
    assert response.status_code == 404
    assert stored_files(session) == files


@pytest.fixture
def small_limit_client(services: Services, session: Session, backend: MemoryBackend) -> TestClient:
    """An app whose class files may have at most 20,000 bytes."""
    settings = services.settings.model_copy(update={"max_batch_bytes": 20_000})
    application = create_app(settings)
    application.state.services = replace(services, settings=settings, jobs=backend)

    def test_session() -> Iterator[Session]:
        with committed(session) as unit:
            yield unit

    application.dependency_overrides[get_session] = test_session
    return TestClient(application, raise_server_exceptions=False)


def test_an_oversize_class_file_is_refused_and_stores_nothing(
    small_limit_client: TestClient, services: Services, session: Session, people: People
) -> None:
    fits, files = generate(2).content, stored_files(session)
    assert len(fits) < 20_000
    job_id = accepted(small_limit_client, people.instructor, fits, create_students=True)
    jobs_before = job_count(session)
    # Past the limit: refused while it is stored, or by the body limit before the route.
    for content in (fits + b"\n" * 10_000, fits + b"\n" * 200_000):
        response = post_class(small_limit_client, people.instructor, content)
        assert response.status_code == 413, response.text
    assert job_count(session) == jobs_before
    assert stored_files(session) == files | {job_id}


def test_created_students_get_their_key_as_name_and_login(
    job_client: TestClient, backend: MemoryBackend, session: Session, people: People
) -> None:
    generated = generate(3, prefix="ada@example.org")
    imported(job_client, backend, people.instructor, generated, create_students=True)
    users = session.scalars(select(User).where(User.login.in_(generated.students))).all()
    assert sorted((user.name, user.login, user.role) for user in users) == [
        (name, name, "student") for name in sorted(generated.students)
    ]
