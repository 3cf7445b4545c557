"""Submissions through HTTP, on SQLite and PostgreSQL: grading, storing, who sees what,
deadlines, the grade book, and bad inputs that must leave the database as it was."""

import hashlib
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import __version__
from app.db.models import FieldGrade, Role, Submission
from app.problemsets.catalog import DEFAULT_DIRECTORY, reference_hash
from app.services import Services
from app.users.service import issue, revoke_student
from tests.conftest import HOSTILE_KEYS, CountRows, People, error_body, sent_as_json
from tests.submissions.conftest import HW5, LATE_FACTOR, published_answers

API = "/api/v1"
CLI_FIELD_KEYS = {"field", "verdict", "score", "max_score", "feedback", "parsed"}


def submit(client: TestClient, token: str, answers: dict[str, str], problem_set: str = HW5) -> Any:
    """POST answers and return the response."""
    return client.post(
        f"{API}/problem-sets/{problem_set}/submissions",
        json={"answers": answers},
        headers=People.auth(token),
    )


def created(client: TestClient, token: str, answers: dict[str, str], problem_set: str = HW5) -> Any:
    """POST answers that must be stored; the response body."""
    response = submit(client, token, answers, problem_set)
    assert response.status_code == 201, response.text
    return response.json()


def by_field(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {field["field"]: field for field in body["fields"]}


# -- grading and storing ---------------------------------------------------------------------


def test_published_answers_get_full_marks(client: TestClient, people: People) -> None:
    answers = published_answers(HW5)
    body = created(client, people.alice, answers)
    assert body["problem_set"] == HW5
    assert body["total"] == body["max_total"] == body["score"] == 100
    assert body["late"] is False
    assert [field["field"] for field in body["fields"]] == list(answers)
    for field in body["fields"]:
        assert set(field) == CLI_FIELD_KEYS | {"answer", "override"}
        assert field["verdict"] == "correct", field
        assert field["override"] is None
        assert field["answer"] == answers[field["field"]]


def test_a_known_mistake_gets_its_feedback(client: TestClient, people: People) -> None:
    body = created(client, people.alice, {"q1.b": "[3, -1, 2]", "q3.a": "108"})
    fields = by_field(body)
    assert fields["q1.b"]["verdict"] == "incorrect"
    assert "flipped" in fields["q1.b"]["feedback"]
    assert fields["q1.b"]["parsed"]
    assert body["total"] == fields["q3.a"]["max_score"]
    assert body["max_total"] == 100


@pytest.mark.parametrize(
    "answer",
    [
        "__import__('os').system('true')",
        "().__class__.__bases__[0]",
        "9^9^9^9",
        "(" * 1500,
        "",
        "\u202e801",
    ],
)
def test_an_unreadable_answer_is_a_stored_invalid_field(
    client: TestClient, people: People, session: Session, answer: str
) -> None:
    body = created(client, people.alice, {"q3.a": answer})
    assert by_field(body)["q3.a"]["verdict"] == "invalid"
    stored = session.scalars(
        select(FieldGrade).where(FieldGrade.submission_id == body["submission_id"])
    ).one()
    assert (stored.verdict, stored.answer, stored.score) == ("invalid", answer, 0.0)


def test_unstorable_characters_are_stored_as_replacement_characters(
    client: TestClient, people: People, session: Session
) -> None:
    body = b'{"answers": {"q3.a": "1\\u0000", "q3.b": "\\ud800"}}'
    response = send(client, f"{API}/problem-sets/{HW5}/submissions", people.alice, body, JSON)
    assert response.status_code == 201, response.text
    assert [field["verdict"] for field in response.json()["fields"]] == ["invalid", "invalid"]
    stored = session.get(Submission, response.json()["submission_id"])
    assert stored is not None
    assert [row.answer for row in stored.fields] == ["1\ufffd", "\ufffd"]


def test_grades_are_stored_with_their_provenance(
    client: TestClient, people: People, session: Session, services: Services
) -> None:
    body = created(client, people.alice, {"q3.a": "108", "q2.a.batchnorm": "B"})
    stored = session.get(Submission, body["submission_id"])
    assert stored is not None
    assert stored.user_id == people.alice_id
    assert stored.engine_version == __version__
    file_bytes = (DEFAULT_DIRECTORY / f"{HW5}.yaml").read_bytes()
    assert stored.problem_hash == hashlib.sha256(file_bytes).hexdigest()
    assert stored.reference_hash == reference_hash()
    assert stored.created_at.isoformat().replace("+00:00", "Z") == body["created_at"]
    assert [(row.field, row.answer, row.verdict) for row in stored.fields] == [
        ("q2.a.batchnorm", "B", "incorrect"),
        ("q3.a", "108", "correct"),
    ]
    provenance = client.get(
        f"{API}/submissions/{stored.id}", headers=People.auth(people.instructor)
    ).json()["provenance"]
    assert provenance["engine_version"] == __version__
    assert provenance["problem_hash"] == services.catalog.file_hash(HW5)
    assert provenance["reference_hash"] == reference_hash()


def test_an_instructor_submission_is_stored_under_the_instructor(
    client: TestClient, people: People
) -> None:
    body = created(client, people.instructor, published_answers(HW5))
    assert body["score"] == 100
    mine = client.get(
        f"{API}/submissions/{body['submission_id']}", headers=People.auth(people.alice)
    )
    assert mine.status_code == 404


# -- variants --------------------------------------------------------------------------------


def own_shapes(services: Services, student: str | None) -> tuple[str, str]:
    """The weight-matrix shape of dl-ex1 q1.b.W_h in a student's numbers."""
    parameters = services.catalog.compiled("dl-ex1", student).parameters
    return "q1.b.W_h", f"{parameters['n_in']} x {parameters['n_hidden']}"


def another_variant(session: Session, services: Services, student_id: str) -> tuple[str, str]:
    """A new student (token, id) whose dl-ex1 numbers differ from the given student's."""
    for index in range(50):
        other = issue(session, name=f"student {index}", role=Role.STUDENT)
        if own_shapes(services, other.user.id) != own_shapes(services, student_id):
            session.commit()
            return other.token, other.user.id
    raise AssertionError("fifty students drew the same numbers")


def test_each_student_is_graded_against_their_own_numbers(
    client: TestClient, people: People, session: Session, services: Services
) -> None:
    field, alice_answer = own_shapes(services, people.alice_id)
    other_token, other_id = another_variant(session, services, people.alice_id)
    _, other_answer = own_shapes(services, other_id)

    def verdict(token: str, answer: str) -> str:
        body = created(client, token, {field: answer}, "dl-ex1")
        return str(by_field(body)[field]["verdict"])

    assert verdict(people.alice, alice_answer) == "correct"
    assert verdict(other_token, other_answer) == "correct"
    assert verdict(other_token, alice_answer) != "correct"


def test_an_instructor_is_graded_against_the_published_numbers(
    client: TestClient, people: People
) -> None:
    body = created(client, people.instructor, {"q1.b.W_h": "10 x 50"}, "dl-ex1")
    assert by_field(body)["q1.b.W_h"]["verdict"] == "correct"


# -- reading back ----------------------------------------------------------------------------


def test_a_student_reads_their_own_submission(client: TestClient, people: People) -> None:
    body = created(client, people.alice, {"q3.a": "108"})
    response = client.get(
        f"{API}/submissions/{body['submission_id']}", headers=People.auth(people.alice)
    )
    assert response.status_code == 200
    assert response.json() == body


def test_another_students_submission_reads_exactly_like_a_missing_one(
    client: TestClient, people: People
) -> None:
    body = created(client, people.alice, {"q3.a": "108"})
    missing_id = "00000000-0000-4000-8000-000000000000"
    theirs = client.get(
        f"{API}/submissions/{body['submission_id']}", headers=People.auth(people.bob)
    )
    missing = client.get(f"{API}/submissions/{missing_id}", headers=People.auth(people.bob))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["error"] == missing.json()["error"] == "NotFound"
    assert theirs.json()["detail"] == missing.json()["detail"].replace(
        missing_id, body["submission_id"]
    )
    assert theirs.headers.keys() == missing.headers.keys()


def test_an_instructor_reads_any_submission(client: TestClient, people: People) -> None:
    body = created(client, people.alice, {"q3.a": "108"})
    response = client.get(
        f"{API}/submissions/{body['submission_id']}", headers=People.auth(people.instructor)
    )
    assert response.status_code == 200
    assert response.json()["user_id"] == people.alice_id


def listed(client: TestClient, token: str, query: str = "", problem_set: str = HW5) -> Any:
    response = client.get(
        f"{API}/problem-sets/{problem_set}/submissions{query}", headers=People.auth(token)
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_lists_are_newest_first_and_a_student_sees_only_their_own(
    client: TestClient, people: People
) -> None:
    first = created(client, people.alice, {"q3.a": "1"})["submission_id"]
    second = created(client, people.alice, {"q3.a": "2"})["submission_id"]
    bobs = created(client, people.bob, {"q3.a": "3"})["submission_id"]
    assert [item["submission_id"] for item in listed(client, people.alice)["items"]] == [
        second,
        first,
    ]
    assert [item["submission_id"] for item in listed(client, people.bob)["items"]] == [bobs]
    everyone = [item["submission_id"] for item in listed(client, people.instructor)["items"]]
    assert everyone[:3] == [bobs, second, first]
    only_alice = listed(client, people.instructor, f"?student={people.alice_id}")["items"]
    assert [item["submission_id"] for item in only_alice] == [second, first]
    paged = listed(client, people.alice, "?limit=1&offset=1")
    assert [item["submission_id"] for item in paged["items"]] == [first]
    assert (paged["limit"], paged["offset"]) == (1, 1)
    assert listed(client, people.alice, problem_set="dl-ex1")["items"] == []


@pytest.mark.parametrize(
    ("query", "status", "error"),
    [
        ("?limit=0", 422, "InvalidRequest"),
        ("?limit=201", 422, "InvalidRequest"),
        ("?offset=-1", 422, "InvalidRequest"),
        ("?limit=ten", 422, "InvalidRequest"),
        ("?student=" + "0" * 37, 422, "InvalidRequest"),
        ("?student=%00", 422, "InvalidRequest"),
        ("?student=' OR 1=1 --", 422, "InvalidRequest"),
        ("?late=maybe", 422, "InvalidRequest"),
        ("?late=", 422, "InvalidRequest"),
        ("?score=all", 422, "InvalidRequest"),
        ("?score=FULL", 422, "InvalidRequest"),
        ("?score=full' OR 1=1 --", 422, "InvalidRequest"),
        ("?score=" + "full" * 10_000, 422, "InvalidRequest"),
    ],
)
def test_list_bounds(
    client: TestClient, people: People, query: str, status: int, error: str
) -> None:
    response = client.get(
        f"{API}/problem-sets/{HW5}/submissions{query}", headers=People.auth(people.alice)
    )
    assert response.status_code == status
    assert response.json()["error"] == error


def test_a_student_may_not_list_another_students_submissions(
    client: TestClient, people: People
) -> None:
    response = client.get(
        f"{API}/problem-sets/{HW5}/submissions?student={people.bob_id}",
        headers=People.auth(people.alice),
    )
    assert response.status_code == 403
    own = listed(client, people.alice, f"?student={people.alice_id}")
    assert own["items"] == []


def test_listing_an_unknown_problem_set_is_404(client: TestClient, people: People) -> None:
    response = client.get(f"{API}/problem-sets/nope/submissions", headers=People.auth(people.alice))
    assert response.status_code == 404
    assert response.json()["error"] == "UnknownProblemSet"


# -- deadlines and the grade book ------------------------------------------------------------


@pytest.mark.parametrize(
    ("problem_set", "late", "factor"),
    [
        ("hw5-open", False, 1.0),
        ("hw5-late-accept", True, 1.0),
        ("hw5-late-penalize", True, LATE_FACTOR),
    ],
)
def test_late_submissions_are_stored_marked_late(
    policy_client: TestClient,
    people: People,
    session: Session,
    problem_set: str,
    late: bool,
    factor: float,
) -> None:
    body = created(policy_client, people.alice, published_answers(HW5), problem_set)
    assert (body["late"], body["score_factor"]) == (late, factor)
    assert body["total"] == 100
    assert body["score"] == 100 * factor
    stored = session.get(Submission, body["submission_id"])
    assert stored is not None
    assert (stored.late, stored.score_factor) == (late, factor)


def test_a_refusing_problem_set_stores_nothing_after_its_due_time(
    policy_client: TestClient, people: People, row_counts: CountRows
) -> None:
    before = row_counts()
    response = submit(policy_client, people.alice, published_answers(HW5), "hw5-late-refuse")
    assert response.status_code == 403
    assert response.json()["error"] == "SubmissionClosed"
    assert "2000-01-01T00:00:00+00:00" in response.json()["detail"]
    assert row_counts() == before


def grade_of(client: TestClient, token: str, problem_set: str, student_id: str) -> Any:
    response = client.get(f"{API}/problem-sets/{problem_set}/grades", headers=People.auth(token))
    assert response.status_code == 200, response.text
    return next(row for row in response.json()["grades"] if row["student_id"] == student_id)


@pytest.mark.parametrize(("problem_set", "counts"), [(HW5, "latest"), ("hw5-best", "best")])
def test_the_grade_book_counts_latest_or_best(
    policy_client: TestClient, people: People, problem_set: str, counts: str
) -> None:
    full = created(policy_client, people.alice, published_answers(HW5), problem_set)
    low = created(policy_client, people.alice, {"q3.a": "108"}, problem_set)
    expected = full if counts == "best" else low
    grade = grade_of(policy_client, people.instructor, problem_set, people.alice_id)
    assert grade["submission_id"] == expected["submission_id"]
    assert grade["score"] == expected["score"]
    assert grade["max_total"] == 100
    assert grade["name"] == "alice"


def test_the_grade_book_lists_students_only(client: TestClient, people: People) -> None:
    instructors = created(client, people.instructor, {"q3.a": "108"})
    book = client.get(f"{API}/problem-sets/{HW5}/grades", headers=People.auth(people.instructor))
    assert book.status_code == 200
    assert book.json()["counts"] == "latest"
    rows = book.json()["grades"]
    assert {people.alice_id, people.bob_id} <= {row["student_id"] for row in rows}
    assert instructors["user_id"] not in {row["student_id"] for row in rows}


def test_a_student_without_submissions_is_listed_with_nulls(
    client: TestClient, people: People
) -> None:
    created(client, people.alice, {"q3.a": "108"})
    grade = grade_of(client, people.instructor, HW5, people.bob_id)
    assert grade["name"] == "bob"
    assert [grade[key] for key in ("submission_id", "score", "max_total", "late")] == [None] * 4


def test_only_instructors_read_the_grade_book(client: TestClient, people: People) -> None:
    response = client.get(f"{API}/problem-sets/{HW5}/grades", headers=People.auth(people.alice))
    assert response.status_code == 403
    assert response.json()["error"] == "Forbidden"


# -- bad inputs: the right 4xx, and nothing stored --------------------------------------------

JSON = {"Content-Type": "application/json"}
BAD_SUBMISSIONS = [
    ("malformed JSON", b'{"answers": {"q3.a": "1"', JSON, 422, "InvalidRequest"),
    ("unknown field", {"answers": {"q3.a": "1", "q99.z": "1"}}, JSON, 422, "UnknownField"),
    ("1 MB answer", {"answers": {"q3.a": "1" * 1_000_000}}, JSON, 422, "AnswerTooLong"),
    (
        "10,000 fields",
        {"answers": {f"q{index}": "1" for index in range(10_000)}},
        JSON,
        422,
        "TooManyAnswers",
    ),
    (
        "text/plain",
        b'{"answers": {"q3.a": "108"}}',
        {"Content-Type": "text/plain"},
        415,
        "UnsupportedMediaType",
    ),
    (
        "form body",
        b"answers=108",
        {"Content-Type": "application/x-www-form-urlencoded"},
        415,
        "UnsupportedMediaType",
    ),
    ("no content type", b'{"answers": {"q3.a": "108"}}', {}, 415, "UnsupportedMediaType"),
    ("answer not text", {"answers": {"q3.a": 108}}, JSON, 422, "InvalidRequest"),
    ("answers not an object", {"answers": ["108"]}, JSON, 422, "InvalidRequest"),
    ("no answers key", {"q3.a": "108"}, JSON, 422, "InvalidRequest"),
    ("no answers", {"answers": {}}, JSON, 422, "InvalidRequest"),
    ("extra key", {"answers": {"q3.a": "108"}, "student": "bob"}, JSON, 422, "InvalidRequest"),
    ("body over the limit", {"answers": {"q3.a": "1" * 2_100_000}}, JSON, 413, "PayloadTooLarge"),
    ("null byte key", {"answers": {"q3.a\x00": "108"}}, JSON, 422, "UnknownField"),
]


def send(
    client: TestClient, path: str, token: str | None, body: object, headers: dict[str, str]
) -> Any:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    auth = People.auth(token) if token else {}
    return client.post(path, content=content, headers={**headers, **auth})


@pytest.mark.parametrize(
    ("body", "headers", "status", "error"),
    [row[1:] for row in BAD_SUBMISSIONS],
    ids=[row[0] for row in BAD_SUBMISSIONS],
)
def test_bad_submissions_are_refused_and_store_nothing(
    client: TestClient,
    people: People,
    row_counts: CountRows,
    body: object,
    headers: dict[str, str],
    status: int,
    error: str,
) -> None:
    before = row_counts()
    response = send(client, f"{API}/problem-sets/{HW5}/submissions", people.alice, body, headers)
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert response.json()["detail"]
    assert row_counts() == before


def test_the_refusal_names_the_unknown_fields(client: TestClient, people: People) -> None:
    response = submit(client, people.alice, {"q3.a": "1", "q99.z": "1"})
    assert response.json()["fields"] == ["q99.z"]
    assert "q99.z" in response.json()["detail"]


@pytest.mark.parametrize(
    ("key", "echoed"), [row[1:] for row in HOSTILE_KEYS], ids=[row[0] for row in HOSTILE_KEYS]
)
def test_a_hostile_field_id_is_refused_in_the_error_shape(
    client: TestClient, people: People, row_counts: CountRows, key: str, echoed: str
) -> None:
    before = row_counts()
    body = sent_as_json({"answers": {"q3.a": "108", key: "m"}})
    response = send(client, f"{API}/problem-sets/{HW5}/submissions", people.alice, body, JSON)
    assert response.status_code == 422, response.text
    refusal = error_body(response)
    assert (refusal["error"], refusal["fields"]) == ("UnknownField", [echoed])
    assert key not in refusal["detail"]
    assert row_counts() == before


# Bodies that fail validation where the location or the message would echo a hostile key.
HOSTILE_BODIES = [
    ("surrogate id, answer not text", {"answers": {"\udfff": 5}}),
    ("surrogate top-level key", {"answers\ud800": {"q3.a": "1"}}),
    ("extra bidi key", {"answers": {"q3.a": "1"}, "\u202e": 1}),
    ("extra surrogate key", {"answers": {"q3.a": "1"}, "\udfff": 1}),
    ("NUL id, answer not text", {"answers": {"\x00": None}}),
]


@pytest.mark.parametrize(
    "body", [row[1] for row in HOSTILE_BODIES], ids=[row[0] for row in HOSTILE_BODIES]
)
def test_a_refused_body_never_echoes_a_hostile_key_as_it_is(
    client: TestClient, people: People, body: dict[str, object]
) -> None:
    path = f"{API}/problem-sets/{HW5}/submissions"
    response = send(client, path, people.alice, sent_as_json(body), JSON)
    assert response.status_code == 422, response.text
    refusal = error_body(response)
    assert refusal["error"] == "InvalidRequest"
    assert not set("\udfff\ud800\u202e\x00") & set(refusal["detail"])


@pytest.mark.parametrize(
    "answer", ["\ud800", "\udfff", "1\udfff", "x + \ud83d", "\ude00\ud83d", "\x00", "\u202e1"]
)
def test_an_odd_answer_is_graded_invalid_in_a_readable_body(
    client: TestClient, people: People, answer: str
) -> None:
    path = f"{API}/problem-sets/{HW5}/submissions"
    response = send(client, path, people.alice, sent_as_json({"answers": {"q3.a": answer}}), JSON)
    assert response.status_code == 201, response.text
    body = json.loads(response.content.decode("utf-8"))
    assert by_field(body)["q3.a"]["verdict"] == "invalid"
    json.dumps(body, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    ("token", "status", "error"),
    [(None, 401, "Unauthorized"), ("not-a-token", 401, "Unauthorized")],
)
def test_submitting_needs_a_valid_token(
    client: TestClient,
    people: People,
    row_counts: CountRows,
    token: str | None,
    status: int,
    error: str,
) -> None:
    before = row_counts()
    response = send(
        client, f"{API}/problem-sets/{HW5}/submissions", token, {"answers": {"q3.a": "108"}}, JSON
    )
    assert response.status_code == status
    assert response.json()["error"] == error
    assert row_counts() == before


def test_a_revoked_token_may_not_submit(
    client: TestClient, people: People, session: Session, row_counts: CountRows
) -> None:
    assert submit(client, people.alice, {"q3.a": "108"}).status_code == 201
    revoke_student(session, people.alice_id)
    session.commit()
    before = row_counts()
    response = submit(client, people.alice, {"q3.a": "108"})
    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized"
    assert row_counts() == before


def test_an_unknown_problem_set_is_404_and_stores_nothing(
    client: TestClient, people: People, row_counts: CountRows
) -> None:
    before = row_counts()
    response = submit(client, people.alice, {"q3.a": "108"}, "no-such-set")
    assert response.status_code == 404
    assert response.json()["error"] == "UnknownProblemSet"
    assert row_counts() == before


@pytest.mark.parametrize(
    ("submission_id", "status", "error"),
    [
        ("0" * 37, 422, "InvalidRequest"),
        ("' OR 1=1 --", 422, "InvalidRequest"),
        ("%00", 422, "InvalidRequest"),
        ("%ED%A0%80", 422, "InvalidRequest"),
        ("0", 404, "NotFound"),
    ],
)
def test_odd_submission_ids(
    client: TestClient, people: People, submission_id: str, status: int, error: str
) -> None:
    created(client, people.alice, {"q3.a": "108"})
    response = client.get(
        f"{API}/submissions/{submission_id}", headers=People.auth(people.instructor)
    )
    assert response.status_code == status
    assert response.json()["error"] == error


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", f"{API}/problem-sets/{HW5}/submissions"),
        ("GET", f"{API}/problem-sets/{HW5}/submissions"),
        ("GET", f"{API}/problem-sets/{HW5}/grades"),
        ("GET", f"{API}/submissions/00000000-0000-4000-8000-000000000000"),
    ],
)
@pytest.mark.parametrize("authorization", [None, "Bearer nope", "Basic YWxpY2U6c2VjcmV0"])
def test_every_route_needs_a_valid_token(
    client: TestClient, method: str, path: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = client.request(method, path, json={"answers": {"q3.a": "1"}}, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized"
