"""The import itself, called as the command line calls it: progress as it goes, a stop and a
re-run, two imports racing for the same rows, deadlines, whose numbers grade each row, and which
students a row names."""

import json
import math
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.batches import repository
from app.batches.schemas import MAX_REPORTED_ERRORS, BatchOutcome
from app.batches.service import CHUNK_ROWS, import_file
from app.db.models import Role, Submission, User
from app.jobs.protocol import JobInterrupted
from app.jobs.service import never
from app.problemsets.catalog import DEFAULT_DIRECTORY, ProblemCatalog
from app.problemsets.grader import SubmissionGrader
from app.problemsets.runner import InProcessRunner
from app.services import Services
from app.users.schemas import StudentCreate
from app.users.service import import_students, issue, revoke_student
from tests.batches.classgen import PROBLEM_SET, GeneratedClass, generate, runner
from tests.batches.http import assert_stored_once
from tests.conftest import CountRows, People
from tests.jobs.conftest import units_in

RECEIVED = datetime.fromisoformat("2026-11-20T12:00:00+00:00")


def run(
    services: Services,
    session: Session,
    path: Path,
    *,
    problem_set: str = PROBLEM_SET,
    create_students: bool = True,
    published_numbers: bool = False,
    reports: list[BatchOutcome] | None = None,
    stopping: Any = never,
) -> BatchOutcome:
    """Import a class file directly, in the test's transaction."""
    return import_file(
        services,
        units_in(session),
        path=path,
        filename=path.name,
        problem_set=problem_set,
        create_students=create_students,
        published_numbers=published_numbers,
        report=(reports if reports is not None else []).append,
        stopping=stopping,
        queue=pytest.fail,
        now=RECEIVED,
    )


def written(tmp_path: Path, generated: GeneratedClass) -> Path:
    """The class file on disk."""
    path = tmp_path / generated.filename
    path.write_bytes(generated.content)
    return path


def jsonl(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    """A small hand-written JSONL class file."""
    path = tmp_path / "class.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_progress_is_reported_after_every_chunk(
    services: Services, session: Session, people: People, tmp_path: Path
) -> None:
    generated = generate(100)
    reports: list[BatchOutcome] = []
    outcome = run(services, session, written(tmp_path, generated), reports=reports)
    assert len(reports) == math.ceil(100 / CHUNK_ROWS)
    bad = len(generated.bad)
    assert [report.done for report in reports] == [bad + 32, bad + 64, bad + 96, bad + 100]
    for report in reports:
        assert report.done == report.stored + report.unchanged + report.failed
        assert report.total == len(generated.rows) and report.failed == bad
    assert reports[-1] == outcome
    assert outcome.stored == 100


def test_a_stopped_import_run_again_stores_each_row_once(
    services: Services, session: Session, people: People, tmp_path: Path, row_counts: CountRows
) -> None:
    generated = generate(80)
    path = written(tmp_path, generated)
    before = row_counts()
    looks = iter([False, True])
    reports: list[BatchOutcome] = []
    with pytest.raises(JobInterrupted):
        run(services, session, path, reports=reports, stopping=lambda: next(looks))
    assert reports[-1].stored == 2 * CHUNK_ROWS
    outcome = run(services, session, path)
    assert (outcome.stored, outcome.unchanged) == (80 - 2 * CHUNK_ROWS, 2 * CHUNK_ROWS)
    assert row_counts().submissions == before.submissions + 80
    assert_stored_once(session, generated)


def test_two_imports_racing_for_the_same_rows_store_them_once(
    services: Services,
    session: Session,
    people: People,
    tmp_path: Path,
    row_counts: CountRows,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    generated = generate(10)
    path = written(tmp_path, generated)
    assert run(services, session, path).stored == 10
    before = row_counts()
    real = repository.known_keys
    calls: list[int] = []

    def unaware(session: Session, problem_set: str, user_ids: Any) -> repository.Known:
        # The other import has not committed yet when this one looks, twice: before grading
        # and in its own transaction; the unique index stops the second write.
        calls.append(len(calls))
        return set() if len(calls) <= 2 else real(session, problem_set, user_ids)

    monkeypatch.setattr(repository, "known_keys", unaware)
    outcome = run(services, session, path)
    assert (outcome.stored, outcome.unchanged) == (0, 10)
    assert len(calls) == 3
    assert row_counts() == before
    assert_stored_once(session, generated)


def test_the_first_bad_rows_are_reported_and_all_are_counted(
    services: Services, session: Session, people: People, tmp_path: Path
) -> None:
    rows = [{"student": f"s{index}", "answers": {"q9": "1"}} for index in range(250)]
    outcome = run(services, session, jsonl(tmp_path, rows))
    assert (outcome.failed, outcome.done, outcome.total) == (250, 250, 250)
    assert [error.line for error in outcome.errors] == list(range(1, MAX_REPORTED_ERRORS + 1))


# -- deadlines -----------------------------------------------------------------------------------

PAST = "2000-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def late_catalog(tmp_path_factory: pytest.TempPathFactory) -> ProblemCatalog:
    """dl-ex1 under two ids, due in 2000: one refusing late work, one halving its score."""
    directory = tmp_path_factory.mktemp("problems")
    source = (DEFAULT_DIRECTORY / f"{PROBLEM_SET}.yaml").read_text(encoding="utf-8")
    for problem_set, rule in [("late-refuse", "refuse"), ("late-halve", "penalize")]:
        text = source.replace(f"id: {PROBLEM_SET}\n", f"id: {problem_set}\n", 1)
        policy = f"\npolicy:\n  due: {PAST}\n  late: {rule}\n  late_factor: 0.5\n"
        (directory / f"{problem_set}.yaml").write_text(text.rstrip() + "\n" + policy)
    return ProblemCatalog(directory)


@pytest.fixture
def late_services(services: Services, late_catalog: ProblemCatalog) -> Services:
    """The test database, grading the late catalog in this process."""
    grader = SubmissionGrader(late_catalog, InProcessRunner(late_catalog))
    return replace(services, catalog=late_catalog, grader=grader)


ANSWERS = {"q2.layer1": "2800", "q2.total": "902700"}
TIMED = [
    {"student": "early", "answers": ANSWERS, "submitted_at": "1999-12-31T23:00:00-02:00"},
    {"student": "late", "answers": ANSWERS, "submitted_at": "2000-01-01T00:00:01Z"},
    {"student": "untimed", "answers": ANSWERS},
]


def test_a_refusing_deadline_fails_late_rows_by_their_time(
    late_services: Services, session: Session, people: People, tmp_path: Path
) -> None:
    outcome = run(late_services, session, jsonl(tmp_path, TIMED), problem_set="late-refuse")
    # 1999-12-31T23:00-02:00 is 01:00 UTC on the first: late too.
    assert (outcome.stored, outcome.failed) == (0, 3)
    assert all("accepts no late submissions" in error.reason for error in outcome.errors)


def test_a_penalizing_deadline_stores_late_rows_with_the_factor(
    late_services: Services, session: Session, people: People, tmp_path: Path
) -> None:
    rows = [{**TIMED[0], "submitted_at": "1999-12-31T23:00:00+00:00"}, *TIMED[1:]]
    outcome = run(late_services, session, jsonl(tmp_path, rows), problem_set="late-halve")
    assert outcome.stored == 3
    stored = {
        user.login: submission
        for user, submission in session.execute(
            select(User, Submission).join(Submission).where(Submission.problem_set == "late-halve")
        )
    }
    assert {login: (s.late, s.score_factor) for login, s in stored.items()} == {
        "early": (False, 1.0),
        "late": (True, 0.5),
        "untimed": (True, 0.5),
    }
    assert stored["early"].created_at == datetime.fromisoformat("1999-12-31T23:00:00+00:00")
    assert stored["untimed"].created_at == RECEIVED


# -- whose numbers, which student ----------------------------------------------------------------

WORK = {"q1.a": "m x 10", "q1.b.W_h": "10 x 50", "q2.layer1": "2800", "q1.d": "m x 3"}


def expected_total(student: str | None) -> float:
    """WORK graded on a student's numbers (None: the published ones), in this process."""
    results = [runner().run(PROBLEM_SET, field, student, text) for field, text in WORK.items()]
    return round(sum(result.score for result in results), 6)


def test_known_students_are_graded_on_their_own_numbers_unless_told(
    services: Services, session: Session, people: People, tmp_path: Path
) -> None:
    [carol] = import_students(session, [StudentCreate(name="Carol", login="carol@example.org")])
    # By a name only one student has, by id, by login.
    keys = {"alice": people.alice_id, people.bob_id: people.bob_id, carol.user.login: carol.user.id}
    rows = [{"student": key, "answers": WORK} for key in keys]
    outcome = run(services, session, jsonl(tmp_path, rows), create_students=False)
    assert (outcome.stored, outcome.created_students) == (3, 0)
    published = run(services, session, jsonl(tmp_path, rows), published_numbers=True)
    assert published.stored == 3
    for user_id in keys.values():
        stored = session.scalars(select(Submission).where(Submission.user_id == user_id)).all()
        by_flag = {submission.published: submission.total for submission in stored}
        assert by_flag == {False: expected_total(user_id), True: expected_total(None)}
    # The variants differ from the published numbers for at least one of them.
    assert any(expected_total(user_id) != expected_total(None) for user_id in keys.values())


def test_rows_naming_no_single_active_student_are_bad(
    services: Services, session: Session, people: People, tmp_path: Path, row_counts: CountRows
) -> None:
    for _ in range(2):
        issue(session, name="sam", role=Role.STUDENT)
    revoke_student(session, people.bob_id)
    rows = [
        {"student": "sam", "answers": WORK},
        {"student": "bob", "answers": WORK},
        {"student": "nobody", "answers": WORK},
        {"student": "instructor", "answers": WORK},
        {"student": "alice", "answers": WORK},
    ]
    before = row_counts()
    outcome = run(services, session, jsonl(tmp_path, rows), create_students=False)
    reasons = {error.student: error.reason for error in outcome.errors}
    assert "more than one student" in reasons["sam"]
    assert "revoked" in reasons["bob"]
    assert "No student nobody" in reasons["nobody"]
    assert "No student instructor" in reasons["instructor"]
    assert (outcome.stored, outcome.failed) == (1, 4)
    assert row_counts().submissions == before.submissions + 1


@pytest.mark.parametrize("create_students", [True, False])
def test_a_key_that_is_the_login_of_an_instructor_is_a_bad_row(
    services: Services,
    session: Session,
    people: People,
    tmp_path: Path,
    row_counts: CountRows,
    create_students: bool,
) -> None:
    login = "prof@example.org"
    professor = issue(session, name="Prof", role=Role.INSTRUCTOR, login=login).user
    # Committed as a real instructor is: a failing unit of work must not roll them back.
    session.commit()
    rows = [
        {"student": "alice", "answers": WORK},
        {"student": login, "answers": WORK},
        {"student": "newcomer", "answers": WORK},
    ]
    before = row_counts()
    outcome = run(services, session, jsonl(tmp_path, rows), create_students=create_students)
    [error] = [error for error in outcome.errors if error.student == login]
    assert error.line == 2
    assert "is the login of a user who is not a student" in error.reason
    created = int(create_students)
    assert (outcome.stored, outcome.failed) == (1 + created, 2 - created)
    assert outcome.created_students == created
    assert row_counts().submissions == before.submissions + 1 + created
    assert row_counts().users == before.users + created
    assert session.scalars(select(Submission).where(Submission.user_id == professor.id)).all() == []
    holders = session.scalars(select(User).where(User.login == login)).all()
    assert [holder.id for holder in holders] == [professor.id]
