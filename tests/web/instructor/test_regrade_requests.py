"""Regrade requests on the pages: a student's form per field of their counted submission, the
instructors' page of open requests with an override and a no-change answer, and the answer on
the student's page; refused forms keep what was typed and store nothing; text stays text."""

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Override, RegradeRequest
from tests.conftest import People
from tests.web.conftest import SignedIn
from tests.web.instructor.pages import SCRIPT, escaped

SET = "dl-ex1"
FIELD = "q2.total"


def submit(client: TestClient, token: str) -> str:
    response = client.post(
        f"/api/v1/problem-sets/{SET}/submissions",
        json={"answers": {FIELD: "0", "q1.a": "m x 10"}},
        headers=People.auth(token),
    )
    assert response.status_code == 201, response.text
    submission_id: str = response.json()["submission_id"]
    return submission_id


def ask(student: SignedIn, submission_id: str, message: str, field: str = FIELD) -> Response:
    data = {"field": field, "message": message, "csrf": student.csrf}
    return student.client.post(
        f"/submissions/{submission_id}/regrade-requests", data=data, follow_redirects=False
    )


def answer(teacher: SignedIn, request_id: str, **form: str) -> Response:
    return teacher.client.post(
        f"/regrade-requests/{request_id}/answer",
        data={**form, "csrf": teacher.csrf},
        follow_redirects=False,
    )


def stored(session: Session) -> list[RegradeRequest]:
    return list(session.scalars(select(RegradeRequest)))


def test_a_student_asks_an_instructor_overrides_and_the_student_reads_it(
    client: TestClient, alice: SignedIn, teacher: SignedIn, people: People, session: Session
) -> None:
    submission_id = submit(client, people.alice)
    page = alice.client.get(f"/submissions/{submission_id}").text
    assert f"Request a regrade of {FIELD}" in page and "Request a regrade of q1.a" in page
    response = ask(alice, submission_id, SCRIPT)
    assert response.status_code == 303
    assert response.headers["location"] == f"/submissions/{submission_id}#regrade-{FIELD}"
    page = alice.client.get(f"/submissions/{submission_id}").text
    assert escaped(SCRIPT) in page and SCRIPT not in page
    assert "Waiting for an instructor" in page
    assert f"Request a regrade of {FIELD}" not in page
    [request] = stored(session)

    listing = teacher.client.get(f"/regrade-requests?problem_set={SET}&field={FIELD}").text
    assert 'href="/regrade-requests" aria-current="page"' in listing
    assert f'id="request-{request.id}"' in listing and escaped(SCRIPT) in listing
    response = answer(
        teacher, request.id, outcome="override", score="2", verdict="", comment="Two points."
    )
    assert response.status_code == 303, response.text
    notice = teacher.client.get(response.headers["location"]).text
    assert "an override of 2 points" in notice and f'id="request-{request.id}"' not in notice
    page = alice.client.get(f"/submissions/{submission_id}").text
    assert "Regraded: 2 of" in page and "Two points." in page
    assert f"Request a regrade of {FIELD}" in page  # closed: another may be opened


def test_a_no_change_answer_reaches_the_student(
    client: TestClient, alice: SignedIn, teacher: SignedIn, people: People, session: Session
) -> None:
    submission_id = submit(client, people.alice)
    ask(alice, submission_id, "Please look.")
    [request] = stored(session)
    response = answer(teacher, request.id, outcome="no_change", reply="As graded, sorry.")
    assert response.status_code == 303, response.text
    page = alice.client.get(f"/submissions/{submission_id}").text
    assert "No change to the grade" in page and "As graded, sorry." in page
    closed = teacher.client.get("/regrade-requests?status=closed").text
    assert "As graded, sorry." in closed
    assert "No regrade requests match." in teacher.client.get("/regrade-requests").text


@pytest.mark.parametrize(
    ("message", "says"),
    [("   ", "it is blank"), ("x" * 2001, "at most 2,000"), ("a\x00b", "control character")],
    ids=["blank", "too long", "nul"],
)
def test_a_refused_request_keeps_what_was_typed_and_stores_nothing(
    client: TestClient, alice: SignedIn, people: People, session: Session, message: str, says: str
) -> None:
    submission_id = submit(client, people.alice)
    response = ask(alice, submission_id, message)
    assert response.status_code == 422, response.text
    assert "The request was not sent" in response.text and escaped(says) in response.text
    assert 'aria-invalid="true"' in response.text
    assert stored(session) == []


def test_only_the_counted_submission_offers_the_form(
    client: TestClient, alice: SignedIn, bob: SignedIn, people: People, session: Session
) -> None:
    older = submit(client, people.alice)
    submit(client, people.alice)
    assert "Request a regrade" not in alice.client.get(f"/submissions/{older}").text
    assert ask(alice, older, "The old one.").status_code == 422
    assert ask(bob, older, "Not mine.").status_code == 404
    assert stored(session) == []


def test_every_change_needs_the_csrf_token_and_students_get_no_instructor_page(
    client: TestClient, alice: SignedIn, teacher: SignedIn, people: People, session: Session
) -> None:
    submission_id = submit(client, people.alice)
    forged = alice.client.post(
        f"/submissions/{submission_id}/regrade-requests",
        data={"field": FIELD, "message": "x"},
        follow_redirects=False,
    )
    assert forged.status_code == 403 and stored(session) == []
    ask(alice, submission_id, "Please look.")
    [request] = stored(session)
    forged = teacher.client.post(
        f"/regrade-requests/{request.id}/answer",
        data={"outcome": "no_change", "reply": "x"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert alice.client.get("/regrade-requests").status_code == 403
    as_student = answer(alice, request.id, outcome="no_change", reply="Mine.")
    assert as_student.status_code == 403
    assert [item.status for item in stored(session)] == ["open"]


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"outcome": "override", "score": "1e9", "comment": "x"}, "between 0 and"),
        ({"outcome": "override", "score": "", "comment": "x"}, "score"),
        ({"outcome": "override", "score": "nan", "comment": "x"}, "score"),
        ({"outcome": "override", "score": "1", "comment": " "}, "it is blank"),
        ({"outcome": "no_change", "reply": ""}, "reply"),
        ({"outcome": "__import__('os')", "reply": "x"}, "outcome"),
    ],
    ids=["score too high", "no score", "nan", "blank comment", "no reply", "unknown outcome"],
)
def test_a_refused_answer_keeps_the_request_open_and_what_was_typed(
    client: TestClient,
    alice: SignedIn,
    teacher: SignedIn,
    people: People,
    session: Session,
    form: dict[str, str],
    says: str,
) -> None:
    ask(alice, submit(client, people.alice), "Please look.")
    [request] = stored(session)
    response = answer(teacher, request.id, **form)
    assert response.status_code == 422, response.text
    assert "The request was not answered" in response.text and escaped(says) in response.text
    assert f'id="request-{request.id}"' in response.text
    session.expire_all()
    assert [item.status for item in stored(session)] == ["open"]
    assert session.scalar(select(func.count()).select_from(Override)) == 0


def test_answering_twice_is_refused_on_the_page(
    client: TestClient, alice: SignedIn, teacher: SignedIn, people: People, session: Session
) -> None:
    ask(alice, submit(client, people.alice), "Please look.")
    [request] = stored(session)
    answer(teacher, request.id, outcome="no_change", reply="As graded.")
    again = answer(teacher, request.id, outcome="override", score="1", comment="Changed my mind.")
    assert again.status_code == 409
    assert "already answered" in again.text
    assert session.scalar(select(func.count()).select_from(Override)) == 0
