"""Overrides through HTTP, on SQLite and PostgreSQL: an instructor's score counts in the grade
book and outlasts a regrade, every step is kept, students may neither override nor read
another's, and hostile input is refused with nothing stored."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import FieldGrade, Override
from app.regrade import service as regrade_service
from app.services import Services
from tests.conftest import People, error_body, sent_as_json
from tests.jobs.conftest import units_in

API = "/api/v1"
DL_EX1 = "dl-ex1"
FIELD = "q2.total"


def submit(client: TestClient, token: str) -> dict[str, Any]:
    response = client.post(
        f"{API}/problem-sets/{DL_EX1}/submissions",
        json={"answers": {FIELD: "0"}},
        headers=People.auth(token),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def put(client: TestClient, token: str, submission_id: str, body: object) -> Any:
    return client.put(
        f"{API}/submissions/{submission_id}/overrides/{FIELD}",
        content=sent_as_json(body),
        headers={**People.auth(token), "Content-Type": "application/json"},
    )


def counted(client: TestClient, people: People, student_id: str) -> dict[str, Any]:
    response = client.get(
        f"{API}/problem-sets/{DL_EX1}/gradebook?format=json", headers=People.auth(people.instructor)
    )
    rows = {row["student_id"]: row for row in response.json()["rows"]}
    return rows[student_id]


def field_of(submission: dict[str, Any]) -> dict[str, Any]:
    return next(field for field in submission["fields"] if field["field"] == FIELD)


def overrides_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Override)) or 0


def test_an_override_counts_and_its_history_is_kept(
    client: TestClient, people: People, session: Session
) -> None:
    submission = submit(client, people.alice)
    automatic = field_of(submission)
    before = counted(client, people, people.alice_id)["total"]
    points = automatic["max_score"]
    response = put(
        client, people.instructor, submission["submission_id"], {"score": points, "comment": "ok"}
    )
    assert response.status_code == 200, response.text
    first = response.json()
    assert first["verdict"] == "correct" and first["in_force"]
    assert first["previous_score"] == automatic["score"]
    after = counted(client, people, people.alice_id)["total"]
    assert after == pytest.approx(before - automatic["score"] + points)

    second = put(
        client, people.instructor, submission["submission_id"], {"score": 1, "comment": "half"}
    )
    assert second.json()["previous_score"] == points
    removal = client.post(
        f"{API}/submissions/{submission['submission_id']}/overrides/{FIELD}/removal",
        json={"reason": "graded right after all"},
        headers=People.auth(people.instructor),
    )
    assert removal.status_code == 200 and not removal.json()["in_force"]
    assert counted(client, people, people.alice_id)["total"] == before

    history = client.get(
        f"{API}/submissions/{submission['submission_id']}/overrides",
        headers=People.auth(people.alice),
    ).json()["overrides"]
    assert [item["score"] for item in history] == [points, 1]
    assert [item["in_force"] for item in history] == [False, False]
    assert history[1]["removal_reason"] == "graded right after all"
    assert all(item["set_by"] for item in history)


def test_an_override_outlasts_a_regrade(
    client: TestClient, people: People, services: Services, session: Session
) -> None:
    submission = submit(client, people.alice)
    put(client, people.instructor, submission["submission_id"], {"score": 1, "comment": "by hand"})
    total = counted(client, people, people.alice_id)["total"]
    regrade_service.regrade(
        services, units_in(session), DL_EX1, report=lambda _: None, stopping=lambda: False
    )
    assert counted(client, people, people.alice_id)["total"] == total
    history = client.get(
        f"{API}/submissions/{submission['submission_id']}/overrides",
        headers=People.auth(people.instructor),
    ).json()["overrides"]
    assert [item["in_force"] for item in history] == [True]


def test_a_regrade_reports_the_automatic_grade_changed_beneath_an_override(
    client: TestClient, people: People, services: Services, session: Session
) -> None:
    alice, bob = submit(client, people.alice), submit(client, people.bob)
    put(client, people.instructor, alice["submission_id"], {"score": 1, "comment": "by hand"})
    # Both stored grades as an older problem file gave them; the files now give 0.
    for submission in (alice, bob):
        row = session.scalars(
            select(FieldGrade).where(
                FieldGrade.submission_id == submission["submission_id"], FieldGrade.field == FIELD
            )
        ).one()
        row.score = 0.5
    session.flush()
    outcome = regrade_service.regrade(
        services, units_in(session), DL_EX1, report=lambda _: None, stopping=lambda: False
    )
    assert [
        (item.student_id, item.field, item.old, item.new, item.override)
        for item in outcome.beneath_overrides
    ] == [(people.alice_id, FIELD, 0.5, 0.0, 1.0)]
    assert outcome.beneath_overrides[0].name == "alice"
    assert [change.student_id for change in outcome.students] == [people.bob_id]
    assert counted(client, people, people.alice_id)["total"] == 1


def test_students_may_not_override_nor_read_another_students_overrides(
    client: TestClient, people: People, session: Session
) -> None:
    submission = submit(client, people.alice)
    response = put(
        client, people.alice, submission["submission_id"], {"score": 1, "comment": "mine"}
    )
    assert response.status_code == 403, response.text
    other = client.get(
        f"{API}/submissions/{submission['submission_id']}/overrides",
        headers=People.auth(people.bob),
    )
    assert other.status_code == 404
    assert overrides_count(session) == 0


HOSTILE = [
    ("score above the field's points", {"score": 1e9, "comment": "x"}),
    ("negative score", {"score": -1, "comment": "x"}),
    ("NaN score", {"score": float("nan"), "comment": "x"}),
    ("infinite score", {"score": float("inf"), "comment": "x"}),
    ("oversized comment", {"score": 0, "comment": "x" * 2001}),
    ("empty comment", {"score": 0, "comment": ""}),
    ("NUL in the comment", {"score": 0, "comment": "a\x00b"}),
    ("lone surrogate in the comment", {"score": 0, "comment": "a\ud800b"}),
    ("unknown verdict", {"score": 0, "comment": "x", "verdict": "__import__('os')"}),
    ("extra key", {"score": 0, "comment": "x", "by": "someone"}),
]


@pytest.mark.parametrize(("case", "body"), HOSTILE, ids=[case for case, _ in HOSTILE])
def test_hostile_overrides_are_refused_and_store_nothing(
    client: TestClient, people: People, session: Session, case: str, body: object
) -> None:
    submission = submit(client, people.alice)
    before = counted(client, people, people.alice_id)
    response = put(client, people.instructor, submission["submission_id"], body)
    assert response.status_code == 422, (case, response.text)
    assert error_body(response)["detail"]
    assert overrides_count(session) == 0
    assert counted(client, people, people.alice_id) == before


def test_an_unknown_field_or_submission_is_refused(
    client: TestClient, people: People, session: Session
) -> None:
    submission = submit(client, people.alice)
    unknown_field = client.put(
        f"{API}/submissions/{submission['submission_id']}/overrides/q9.nothing",
        json={"score": 0, "comment": "x"},
        headers=People.auth(people.instructor),
    )
    assert unknown_field.status_code == 422 and error_body(unknown_field)["fields"]
    missing = put(client, people.instructor, "0" * 36, {"score": 0, "comment": "x"})
    assert missing.status_code == 404
    assert overrides_count(session) == 0


def read(client: TestClient, token: str, submission_id: str) -> dict[str, Any]:
    response = client.get(f"{API}/submissions/{submission_id}", headers=People.auth(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_submission_shows_the_override_in_force_beside_the_automatic_grade(
    client: TestClient, people: People
) -> None:
    submission = submit(client, people.alice)
    submission_id = submission["submission_id"]
    assert field_of(submission)["override"] is None
    set_one = put(client, people.instructor, submission_id, {"score": 1, "comment": "Seen."})
    assert set_one.status_code == 200, set_one.text
    for token in (people.alice, people.instructor):
        field = field_of(read(client, token, submission_id))
        override = field["override"]
        assert field["score"] == field_of(submission)["score"]
        assert override["score"] == 1 and override["comment"] == "Seen."
        assert override["verdict"] == set_one.json()["verdict"]
        assert override["set_by"] == set_one.json()["set_by"]
        assert override["set_by_name"] == "instructor"
        assert override["set_at"] == set_one.json()["set_at"]
    # Only the override in force: a newer one replaces it, a removal takes it away.
    put(client, people.instructor, submission_id, {"score": 2, "comment": "Seen again."})
    assert field_of(read(client, people.alice, submission_id))["override"]["score"] == 2
    client.post(
        f"{API}/submissions/{submission_id}/overrides/{FIELD}/removal",
        json={"reason": "as graded"},
        headers=People.auth(people.instructor),
    )
    assert field_of(read(client, people.alice, submission_id))["override"] is None


def test_another_submission_of_the_same_student_shows_no_override(
    client: TestClient, people: People
) -> None:
    first, second = submit(client, people.alice), submit(client, people.alice)
    put(client, people.instructor, first["submission_id"], {"score": 1, "comment": "x"})
    assert field_of(read(client, people.alice, second["submission_id"]))["override"] is None
