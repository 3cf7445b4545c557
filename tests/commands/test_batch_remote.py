"""`dlgrade batch --server`: the class file posted to the service, its job followed, the grade
book fetched and written; refusals from the service exit 2 with its words and no file."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.batches.service import CLASS_FILE_BLOB
from app.commands.remote import Connect, Remote
from app.jobs.memory import MemoryBackend
from app.services import Services
from tests.batches.classgen import generate
from tests.blobs.stored import held_jobs, lose
from tests.commands.conftest import (
    api_get,
    assert_book_matches,
    batch_argv,
    csv_rows,
    only,
    read_csv,
    remote_argv,
    run,
)
from tests.conftest import CountRows, People

GRADEBOOK = "/api/v1/problem-sets/dl-ex1/gradebook"


def test_a_class_is_imported_through_the_service(
    tmp_path: Path, connect: Connect, job_app: FastAPI, people: People
) -> None:
    generated = generate(12, format="csv")
    class_file = tmp_path / generated.filename
    class_file.write_bytes(generated.content)
    out = tmp_path / "grades.csv"
    argv = batch_argv(class_file, out, "--create-students", "--published-numbers")
    ran = run(remote_argv(argv, people.instructor), connect=connect)
    assert ran.status == 0, ran.err
    assert f"stored            {len(generated.good)}" in ran.out
    assert f"failed            {len(generated.bad)}" in ran.out
    assert f"students created  {len(generated.students)}" in ran.out
    written = read_csv(out)
    assert_book_matches(written, generated)
    served = csv_rows(api_get(job_app, GRADEBOOK, people.instructor, format="csv"))
    assert written == served
    assert {row["name"] for row in only(written, generated.students)} == generated.students


def test_a_second_import_through_the_service_stores_nothing(
    tmp_path: Path, connect: Connect, people: People, row_counts: CountRows
) -> None:
    generated = generate(6, format="jsonl")
    class_file = tmp_path / generated.filename
    class_file.write_bytes(generated.content)
    argv = remote_argv(
        batch_argv(class_file, tmp_path / "g.csv", "--create-students", "--published-numbers"),
        people.instructor,
    )
    assert run(argv, connect=connect).status == 0
    before = row_counts()
    again = run(argv, connect=connect)
    assert again.status == 0, again.err
    assert f"unchanged         {len(generated.good)}" in again.out
    assert row_counts() == before


def test_a_file_the_service_refuses_exits_2_with_its_reason(
    tmp_path: Path, connect: Connect, people: People, row_counts: CountRows
) -> None:
    class_file = tmp_path / "class.csv"
    class_file.write_text("name,q1.a\nada,m x 10\n")
    out = tmp_path / "g.csv"
    before = row_counts()
    ran = run(
        remote_argv(batch_argv(class_file, out, "--create-students"), people.instructor),
        connect=connect,
    )
    assert (ran.status, ran.out) == (2, "")
    assert "no column called 'student'" in ran.err and "(422 InvalidRequest)" in ran.err
    assert not out.exists()
    assert row_counts() == before


def test_a_student_token_and_a_bad_token_are_refused(
    tmp_path: Path, connect: Connect, people: People
) -> None:
    class_file = tmp_path / "class.jsonl"
    class_file.write_text('{"student": "ada", "answers": {"q1.a": "m x 10"}}\n')
    for token, status in ((people.alice, "403"), ("not-a-token", "401")):
        ran = run(remote_argv(batch_argv(class_file, tmp_path / "g.csv"), token), connect=connect)
        assert ran.status == 2 and f"({status} " in ran.err
    assert not (tmp_path / "g.csv").exists()


def test_an_unknown_problem_set_on_the_service(
    tmp_path: Path, connect: Connect, people: People
) -> None:
    class_file = tmp_path / "class.jsonl"
    class_file.write_text('{"student": "ada", "answers": {"q1.a": "m x 10"}}\n')
    argv = ["batch", str(class_file), "--problem-set", "nope", "--out", str(tmp_path / "g.csv")]
    ran = run(remote_argv(argv, people.instructor), connect=connect)
    assert ran.status == 2 and "no problem set 'nope'" in ran.err and "(404 " in ran.err


def test_an_import_that_fails_on_the_service_exits_2_and_writes_nothing(
    tmp_path: Path, job_app: FastAPI, backend: MemoryBackend, services: Services, people: People
) -> None:
    def lose_the_stored_file_then_run(_seconds: float) -> None:
        with backend.units() as session:
            for job_id in held_jobs(session, CLASS_FILE_BLOB):
                lose(session, job_id)
        backend.run_pending()

    def connect(server: str, token: str | None) -> Remote:
        client = TestClient(job_app, raise_server_exceptions=False)
        return Remote(client, token or "", pause=lose_the_stored_file_then_run)

    class_file = tmp_path / "class.jsonl"
    class_file.write_text('{"student": "alice", "answers": {"q1.a": "m x 10"}}\n')
    out = tmp_path / "g.csv"
    ran = run(remote_argv(batch_argv(class_file, out), people.instructor), connect=connect)
    assert (ran.status, ran.out) == (2, "")
    assert "the import failed: " in ran.err
    assert not out.exists()
