"""Regrade requests through HTTP, on SQLite and PostgreSQL: a student asks about a field of
their counted submission, an instructor answers with an override or no change, the student
reads the answer; nobody else may open, read or answer, and hostile input stores nothing."""

from dataclasses import replace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Override, RegradeRequest
from app.ratelimit import RateLimiter
from app.regrade_requests.service import RATE_SCOPE
from app.services import Services
from tests.conftest import People, error_body, sent_as_json

API = "/api/v1"
DL_EX1 = "dl-ex1"
FIELD = "q2.total"
OTHER_FIELD = "q1.b.W_h"
ANSWERS = {FIELD: "0", OTHER_FIELD: "3 x 3", "q1.a": "m x 10"}


def submit(client: TestClient, token: str) -> str:
    response = client.post(
        f"{API}/problem-sets/{DL_EX1}/submissions",
        json={"answers": ANSWERS},
        headers=People.auth(token),
    )
    assert response.status_code == 201, response.text
    submission_id: str = response.json()["submission_id"]
    return submission_id


def ask(client: TestClient, token: str, submission_id: str, body: object) -> Any:
    return client.post(
        f"{API}/submissions/{submission_id}/regrade-requests",
        content=sent_as_json(body),
        headers={**People.auth(token), "Content-Type": "application/json"},
    )


def opened(client: TestClient, token: str, submission_id: str, field: str = FIELD) -> str:
    response = ask(client, token, submission_id, {"field": field, "message": "Please look."})
    assert response.status_code == 201, response.text
    request_id: str = response.json()["id"]
    return request_id


def answer(client: TestClient, token: str, request_id: str, body: object) -> Any:
    return client.post(
        f"{API}/regrade-requests/{request_id}/answer",
        content=sent_as_json(body),
        headers={**People.auth(token), "Content-Type": "application/json"},
    )


def listing(client: TestClient, token: str, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"{API}/regrade-requests{query}", headers=People.auth(token))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def seen(client: TestClient, token: str, request_id: str) -> Any:
    return client.get(f"{API}/regrade-requests/{request_id}", headers=People.auth(token))


def counted_total(client: TestClient, people: People, student_id: str) -> float:
    response = client.get(
        f"{API}/problem-sets/{DL_EX1}/gradebook?format=json", headers=People.auth(people.instructor)
    )
    rows = {row["student_id"]: row for row in response.json()["rows"]}
    total: float = rows[student_id]["total"]
    return total


def count(session: Session, table: type[RegradeRequest] | type[Override]) -> int:
    return session.scalar(select(func.count()).select_from(table)) or 0


def test_a_request_answered_by_an_override_counts_and_the_student_reads_it(
    client: TestClient, people: People, session: Session
) -> None:
    submission_id = submit(client, people.alice)
    request_id = opened(client, people.alice, submission_id)
    before = counted_total(client, people, people.alice_id)
    [listed] = listing(
        client, people.instructor, f"?problem_set={DL_EX1}&field={FIELD}&status=open"
    )
    assert listed["id"] == request_id and listed["student_name"] == "alice"
    assert listed["message"] == "Please look." and listed["grade"]["answer"] == "0"
    automatic = listed["grade"]["score"]

    response = answer(
        client,
        people.instructor,
        request_id,
        {"outcome": "override", "score": 2, "comment": "Read again: two points."},
    )
    assert response.status_code == 200, response.text
    closed = response.json()
    assert closed["status"] == "closed" and closed["outcome"] == "override"
    assert closed["override_score"] == 2 and closed["reply"] == "Read again: two points."
    assert counted_total(client, people, people.alice_id) == pytest.approx(before - automatic + 2)
    history = client.get(
        f"{API}/submissions/{submission_id}/overrides", headers=People.auth(people.alice)
    ).json()["overrides"]
    assert [item["id"] for item in history] == [closed["override_id"]]

    mine = seen(client, people.alice, request_id).json()
    assert mine["reply"] == "Read again: two points." and mine["answered_at"]
    assert listing(client, people.instructor, "?status=open") == []
    assert [item["id"] for item in listing(client, people.instructor, "?status=closed")] == [
        request_id
    ]


def test_a_no_change_answer_keeps_the_grade_and_stores_the_reply(
    client: TestClient, people: People, session: Session
) -> None:
    submission_id = submit(client, people.alice)
    request_id = opened(client, people.alice, submission_id)
    before = counted_total(client, people, people.alice_id)
    response = answer(
        client, people.instructor, request_id, {"outcome": "no_change", "reply": "As graded."}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["outcome"], body["reply"], body["override_id"]) == (
        "no_change",
        "As graded.",
        None,
    )
    assert counted_total(client, people, people.alice_id) == before
    assert count(session, Override) == 0
    assert listing(client, people.alice)[0]["reply"] == "As graded."


@pytest.mark.parametrize(
    "second",
    [
        {"outcome": "no_change", "reply": "again"},
        {"outcome": "override", "score": 1, "comment": "again"},
    ],
    ids=["no change", "override"],
)
def test_answering_a_closed_request_is_a_conflict_and_changes_nothing(
    client: TestClient, people: People, session: Session, second: dict[str, object]
) -> None:
    request_id = opened(client, people.alice, submit(client, people.alice))
    answer(client, people.instructor, request_id, {"outcome": "no_change", "reply": "As graded."})
    response = answer(client, people.instructor, request_id, second)
    assert response.status_code == 409, response.text
    assert error_body(response)["error"] == "Conflict"
    assert seen(client, people.alice, request_id).json()["reply"] == "As graded."
    assert count(session, Override) == 0


def test_one_open_request_per_field_and_a_new_one_once_answered(
    client: TestClient, people: People, session: Session
) -> None:
    submission_id = submit(client, people.alice)
    first = opened(client, people.alice, submission_id)
    again = ask(client, people.alice, submission_id, {"field": FIELD, "message": "Once more."})
    assert again.status_code == 409 and error_body(again)["fields"] == ["field"]
    opened(client, people.alice, submission_id, OTHER_FIELD)
    opened(client, people.bob, submit(client, people.bob))
    answer(client, people.instructor, first, {"outcome": "no_change", "reply": "As graded."})
    opened(client, people.alice, submission_id)
    assert count(session, RegradeRequest) == 4
    by_field = listing(client, people.instructor, f"?field={OTHER_FIELD}")
    assert [item["student_id"] for item in by_field] == [people.alice_id]


def test_another_students_submission_is_not_found_like_a_missing_one(
    client: TestClient, people: People, session: Session
) -> None:
    submission_id = submit(client, people.alice)
    body = {"field": FIELD, "message": "Mine now?"}
    theirs = ask(client, people.bob, submission_id, body)
    missing = ask(client, people.bob, submission_id[:-1] + "0", body)
    assert theirs.status_code == missing.status_code == 404
    assert error_body(theirs) == {
        "error": "NotFound",
        "detail": f"There is no submission {submission_id}.",
    }
    assert set(error_body(missing)) == set(error_body(theirs))
    assert count(session, RegradeRequest) == 0


def test_students_neither_answer_nor_see_another_students_requests(
    client: TestClient, people: People, session: Session
) -> None:
    request_id = opened(client, people.alice, submit(client, people.alice))
    bobs = opened(client, people.bob, submit(client, people.bob))
    refused = answer(client, people.alice, request_id, {"outcome": "no_change", "reply": "ok"})
    assert refused.status_code == 403 and error_body(refused)["error"] == "Forbidden"
    other = seen(client, people.bob, request_id)
    assert other.status_code == 404 and error_body(other)["error"] == "NotFound"
    assert [item["id"] for item in listing(client, people.bob)] == [bobs]
    assert [item["id"] for item in listing(client, people.bob, f"?problem_set={DL_EX1}")] == [bobs]
    assert seen(client, people.alice, request_id).json()["status"] == "open"


def test_an_instructor_cannot_open_one(
    client: TestClient, people: People, session: Session
) -> None:
    response = ask(
        client, people.instructor, submit(client, people.alice), {"field": FIELD, "message": "x"}
    )
    assert response.status_code == 403 and error_body(response)["error"] == "Forbidden"
    assert count(session, RegradeRequest) == 0


def test_only_the_counted_submission_can_be_asked_about(
    client: TestClient, people: People, session: Session
) -> None:
    older = submit(client, people.alice)
    newer = submit(client, people.alice)
    response = ask(client, people.alice, older, {"field": FIELD, "message": "The old one."})
    assert response.status_code == 422, response.text
    assert newer in error_body(response)["detail"]
    assert error_body(response)["fields"] == ["submission_id"]
    assert count(session, RegradeRequest) == 0


HOSTILE_OPENINGS = [
    ("field the submission has no answer to", {"field": "q3.a", "message": "x"}),
    ("unknown field", {"field": "q9.nothing", "message": "x"}),
    ("field as code", {"field": "__import__('os')", "message": "x"}),
    ("field with a lone surrogate", {"field": "q2.total\udfff", "message": "x"}),
    ("oversized field id", {"field": "q" * 101, "message": "x"}),
    ("empty message", {"field": FIELD, "message": ""}),
    ("blank message", {"field": FIELD, "message": " \n\t "}),
    ("NUL in the message", {"field": FIELD, "message": "look\x00here"}),
    ("escape codes in the message", {"field": FIELD, "message": "\x1b[2Jcleared"}),
    ("message over the setting", {"field": FIELD, "message": "x" * 2001}),
    ("message far over any bound", {"field": FIELD, "message": "x" * 100_000}),
    ("message not text", {"field": FIELD, "message": ["9^9^9"]}),
    ("no message", {"field": FIELD}),
    ("extra key", {"field": FIELD, "message": "x", "status": "closed"}),
    ("not an object", ["().__class__"]),
]


@pytest.mark.parametrize(
    ("case", "body"), HOSTILE_OPENINGS, ids=[case for case, _ in HOSTILE_OPENINGS]
)
def test_hostile_requests_are_refused_and_store_nothing(
    client: TestClient, people: People, session: Session, case: str, body: object
) -> None:
    response = ask(client, people.alice, submit(client, people.alice), body)
    assert response.status_code == 422, (case, response.text)
    assert error_body(response)["detail"]
    assert count(session, RegradeRequest) == 0


HOSTILE_ANSWERS = [
    ("score above the field's points", {"outcome": "override", "score": 1e9, "comment": "x"}),
    ("negative score", {"outcome": "override", "score": -1, "comment": "x"}),
    ("NaN score", {"outcome": "override", "score": float("nan"), "comment": "x"}),
    ("override without a comment", {"outcome": "override", "score": 1}),
    ("override with an empty comment", {"outcome": "override", "score": 1, "comment": ""}),
    ("oversized comment", {"outcome": "override", "score": 1, "comment": "x" * 2001}),
    ("unknown verdict", {"outcome": "override", "score": 1, "comment": "x", "verdict": "os"}),
    ("no change with a score", {"outcome": "no_change", "reply": "x", "score": 5}),
    ("no change without a reply", {"outcome": "no_change"}),
    ("blank reply", {"outcome": "no_change", "reply": "   "}),
    ("NUL in the reply", {"outcome": "no_change", "reply": "\x00"}),
    ("unknown outcome", {"outcome": "__import__('os')", "reply": "x"}),
    ("no outcome", {"reply": "x"}),
]


@pytest.mark.parametrize(
    ("case", "body"), HOSTILE_ANSWERS, ids=[case for case, _ in HOSTILE_ANSWERS]
)
def test_hostile_answers_are_refused_and_leave_the_request_open(
    client: TestClient, people: People, session: Session, case: str, body: object
) -> None:
    request_id = opened(client, people.alice, submit(client, people.alice))
    before = counted_total(client, people, people.alice_id)
    response = answer(client, people.instructor, request_id, body)
    assert response.status_code == 422, (case, response.text)
    assert error_body(response)["detail"]
    assert seen(client, people.alice, request_id).json()["status"] == "open"
    assert count(session, Override) == 0
    assert counted_total(client, people, people.alice_id) == before


def test_an_unknown_request_is_not_found(client: TestClient, people: People) -> None:
    missing = "0" * 36
    for response in (
        answer(client, people.instructor, missing, {"outcome": "no_change", "reply": "x"}),
        seen(client, people.instructor, missing),
    ):
        assert response.status_code == 404 and error_body(response)["error"] == "NotFound"


@pytest.fixture
def limited_app(app: FastAPI, services: Services) -> FastAPI:
    """The app with a regrade-request quota of two an hour, counted for this test alone."""
    limiter = RateLimiter(services.settings.rate_limit, scopes={RATE_SCOPE: "2/hour"})
    app.state.services = replace(services, limiter=limiter)
    return app


def test_opening_requests_is_rate_limited_per_student(
    limited_app: FastAPI, people: People, session: Session
) -> None:
    client = TestClient(limited_app, raise_server_exceptions=False)
    submission_id = submit(client, people.alice)
    opened(client, people.alice, submission_id, FIELD)
    opened(client, people.alice, submission_id, OTHER_FIELD)
    refused = ask(client, people.alice, submission_id, {"field": "q1.a", "message": "x"})
    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) > 0
    assert "2 per 1 hour" in error_body(refused)["detail"]
    opened(client, people.bob, submit(client, people.bob))
    assert count(session, RegradeRequest) == 3
