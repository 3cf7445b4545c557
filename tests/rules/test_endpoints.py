"""Answer rules through HTTP, on SQLite and PostgreSQL: a rule matches answers by how they were
read, so spelling and spacing variants are ruled alike and a different or unreadable answer is
not; new work gets it at once, a regrade gives it to stored work and reports exactly whose grade
changed; removing it and regrading restores the automatic grades; only instructors make rules;
a hostile request is refused and stores nothing."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db.models import Role
from app.jobs.memory import MemoryBackend
from app.rules.schemas import MAX_FEEDBACK_CHARS
from app.users.service import issue
from tests.conftest import People, error_body

API = "/api/v1"
DL_EX1 = "dl-ex1"
FIELD = "q1.b.W_h"
RULES = f"{API}/problem-sets/{DL_EX1}/rules"

RULED = "3 x 3"
"""A wrong answer for every variant, which the rules below rule on."""
ANSWERS = {
    "typed as ruled": "3 x 3",
    "spelled otherwise": r"3 \times 3",
    "spaced otherwise": "(3,3)",
    "a different answer": "4 x 4",
    "unreadable": "3 x x",
}
MATCHING = {"typed as ruled", "spelled otherwise", "spaced otherwise"}

ACCEPT = {"field": FIELD, "answer": RULED, "verdict": "correct", "feedback": "Accepted."}
MISTAKE = {
    "field": FIELD,
    "answer": RULED,
    "verdict": "partial",
    "credit": 0.25,
    "note": "kernel shape",
    "feedback": "This is the kernel's shape, not the weight matrix's.",
}


def field_of(body: dict[str, Any]) -> dict[str, Any]:
    [field] = [field for field in body["fields"] if field["field"] == FIELD]
    return field


def submit(client: TestClient, token: str, answer: str) -> dict[str, Any]:
    response = client.post(
        f"{API}/problem-sets/{DL_EX1}/submissions",
        json={"answers": {FIELD: answer}},
        headers=People.auth(token),
    )
    assert response.status_code == 201, response.text
    return field_of(response.json())


def class_of(session: Session) -> dict[str, tuple[str, str]]:
    """One student per answer: case -> (student id, token)."""
    students = {case: issue(session, name=case, role=Role.STUDENT) for case in ANSWERS}
    session.commit()
    return {case: (issued.user.id, issued.token) for case, issued in students.items()}


def grades(client: TestClient, people: People) -> dict[str, float]:
    response = client.get(
        f"{API}/problem-sets/{DL_EX1}/gradebook?format=json", headers=People.auth(people.instructor)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    rows = body["rows"] if isinstance(body, dict) else body
    return {row["student_id"]: row["total"] for row in rows}


def regraded(client: TestClient, backend: MemoryBackend, people: People) -> set[str]:
    """Run a regrade; the ids of the students it reports."""
    response = client.post(
        f"{API}/problem-sets/{DL_EX1}/regrade", headers=People.auth(people.instructor)
    )
    assert response.status_code == 202, response.text
    backend.run_pending()
    job = client.get(
        f"{API}/jobs/{response.json()['job_id']}", headers=People.auth(people.instructor)
    ).json()
    assert job["status"] == "done", job
    return {student["student_id"] for student in job["result"]["students"]}


def make_rule(client: TestClient, people: People, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(RULES, json=body, headers=People.auth(people.instructor))
    assert response.status_code == 201, response.text
    rule: dict[str, Any] = response.json()
    return rule


def test_an_accepted_answer_regrades_exactly_its_forms(
    job_client: TestClient, backend: MemoryBackend, session: Session, people: People
) -> None:
    students = class_of(session)
    before = {
        case: submit(job_client, token, ANSWERS[case]) for case, (_, token) in students.items()
    }
    rule = make_rule(job_client, people, ACCEPT)
    assert rule["parsed"] == before["typed as ruled"]["parsed"]
    assert rule["credit"] == 1.0 and rule["created_by"]

    reported = regraded(job_client, backend, people)

    assert reported == {students[case][0] for case in MATCHING}
    for case, (_, token) in students.items():
        after = submit(job_client, token, ANSWERS[case])
        if case in MATCHING:
            assert after["verdict"] == "correct" and after["score"] == after["max_score"]
            assert after["feedback"] == "Accepted."
        else:
            assert after == before[case]


def test_a_named_mistake_gives_its_credit_and_feedback(
    job_client: TestClient, session: Session, people: People
) -> None:
    students = class_of(session)
    make_rule(job_client, people, MISTAKE)
    for case, (_, token) in students.items():
        field = submit(job_client, token, ANSWERS[case])
        if case in MATCHING:
            assert field["verdict"] == "partial"
            assert field["score"] == pytest.approx(0.25 * field["max_score"])
            assert field["feedback"] == MISTAKE["feedback"]
        else:
            assert field["feedback"] != MISTAKE["feedback"]


def test_removing_a_rule_and_regrading_restores_the_automatic_grades(
    job_client: TestClient, backend: MemoryBackend, session: Session, people: People
) -> None:
    students = class_of(session)
    automatic = {
        case: submit(job_client, token, ANSWERS[case]) for case, (_, token) in students.items()
    }
    automatic_totals = grades(job_client, people)
    rule = make_rule(job_client, people, ACCEPT)
    regraded(job_client, backend, people)
    assert grades(job_client, people) != automatic_totals

    removed = job_client.delete(f"{RULES}/{rule['id']}", headers=People.auth(people.instructor))
    assert removed.status_code == 204
    assert job_client.get(RULES, headers=People.auth(people.instructor)).json() == []
    assert regraded(job_client, backend, people) == {students[case][0] for case in MATCHING}

    assert grades(job_client, people) == automatic_totals
    for case, (_, token) in students.items():
        assert submit(job_client, token, ANSWERS[case]) == automatic[case]


def test_rules_are_listed_with_who_made_them(job_client: TestClient, people: People) -> None:
    made = make_rule(job_client, people, ACCEPT)
    listed = job_client.get(RULES, headers=People.auth(people.instructor))
    assert listed.status_code == 200
    assert listed.json() == [made]


@pytest.mark.parametrize("method", ["post", "get", "delete"])
def test_students_may_not_make_list_or_remove_rules(
    job_client: TestClient, people: People, method: str
) -> None:
    rule = make_rule(job_client, people, ACCEPT)
    url = f"{RULES}/{rule['id']}" if method == "delete" else RULES
    kwargs: dict[str, Any] = {"json": ACCEPT} if method == "post" else {}
    response = job_client.request(method, url, headers=People.auth(people.alice), **kwargs)
    assert response.status_code == 403
    assert error_body(response)["error"] == "Forbidden"
    assert len(job_client.get(RULES, headers=People.auth(people.instructor)).json()) == 1


HOSTILE = {
    "unknown field": ({**ACCEPT, "field": "q9.z"}, 422),
    "field as a path": ({**ACCEPT, "field": "../q1.a"}, 422),
    "oversized feedback": ({**ACCEPT, "feedback": "x" * (MAX_FEEDBACK_CHARS + 1)}, 422),
    "empty feedback": ({**ACCEPT, "feedback": ""}, 422),
    "credit above 1": ({**MISTAKE, "credit": 1.5}, 422),
    "credit below 0": ({**MISTAKE, "credit": -0.1}, 422),
    "credit not a number": ({**MISTAKE, "credit": "NaN"}, 422),
    "full credit for a mistake": ({**MISTAKE, "credit": 1.0}, 422),
    "mistake without a name": ({**MISTAKE, "note": None}, 422),
    "unknown verdict": ({**ACCEPT, "verdict": "invalid"}, 422),
    "unreadable answer": ({**ACCEPT, "answer": "3 x x"}, 422),
    "markup answer": ({**ACCEPT, "answer": "<script>alert(1)</script>"}, 422),
    "oversized answer": ({**ACCEPT, "answer": "3" * 2_001}, 422),
    "unknown key": ({**ACCEPT, "parsed": "3 \\times 3"}, 422),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_rule_is_refused_and_stores_nothing(
    job_client: TestClient, people: People, case: str
) -> None:
    body, code = HOSTILE[case]
    response = job_client.post(RULES, json=body, headers=People.auth(people.instructor))
    assert response.status_code == code, response.text
    assert error_body(response)["detail"]
    assert job_client.get(RULES, headers=People.auth(people.instructor)).json() == []


def test_the_same_form_twice_is_refused(job_client: TestClient, people: People) -> None:
    make_rule(job_client, people, ACCEPT)
    again = job_client.post(
        RULES, json={**ACCEPT, "answer": "(3, 3)"}, headers=People.auth(people.instructor)
    )
    assert again.status_code == 422
    assert len(job_client.get(RULES, headers=People.auth(people.instructor)).json()) == 1


def test_an_unknown_rule_or_problem_set_is_404(job_client: TestClient, people: People) -> None:
    auth = People.auth(people.instructor)
    assert job_client.delete(f"{RULES}/nope", headers=auth).status_code == 404
    assert job_client.get(f"{API}/problem-sets/dl-ex9/rules", headers=auth).status_code == 404
