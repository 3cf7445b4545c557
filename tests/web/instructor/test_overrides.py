"""The override forms of a student's page: the counted submission's fields are listed with
their scores and overrides; an instructor sets a score with a comment or removes it with a
reason, through the overrides service; a refused form (a score out of range or not a number, a
comment too long, no comment) says why, keeps what was typed and stores nothing; every change
needs the session's CSRF token and an instructor's session."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Override
from app.overrides.schemas import MAX_COMMENT
from app.services import Services
from app.web.override_views import MAX_SCORE_CHARS
from app.web.templating import points
from tests.conftest import People
from tests.problemsets.answers_expressions import ACCEPTED
from tests.web.conftest import SignedIn
from tests.web.instructor.pages import SCRIPT, SET, escaped, store

FIELD = "q3.a"
CORRECT = next(answer for ps, field, answer in ACCEPTED if (ps, field) == (SET, FIELD))
ANSWERS = {FIELD: CORRECT, "q1.a": "7 x 7"}


def post_override(signed_in: SignedIn, submission_id: str, data: dict[str, str]) -> Response:
    """Post the form that sets an override of FIELD (the session's CSRF token unless given)."""
    return signed_in.client.post(
        f"/submissions/{submission_id}/overrides/{FIELD}",
        data={"csrf": signed_in.csrf, **data},
        follow_redirects=False,
    )


def post_removal(signed_in: SignedIn, submission_id: str, data: dict[str, str]) -> Response:
    """Post the form that removes the override of FIELD."""
    return signed_in.client.post(
        f"/submissions/{submission_id}/overrides/{FIELD}/removal",
        data={"csrf": signed_in.csrf, **data},
        follow_redirects=False,
    )


def history(client: TestClient, people: People, submission_id: str) -> list[dict[str, Any]]:
    response = client.get(
        f"/api/v1/submissions/{submission_id}/overrides", headers=People.auth(people.instructor)
    )
    assert response.status_code == 200, response.text
    overrides: list[dict[str, Any]] = response.json()["overrides"]
    return overrides


def field_of(client: TestClient, people: People, submission_id: str) -> dict[str, Any]:
    response = client.get(
        f"/api/v1/submissions/{submission_id}", headers=People.auth(people.instructor)
    )
    return next(field for field in response.json()["fields"] if field["field"] == FIELD)


def counted_total(client: TestClient, people: People) -> float:
    grades = client.get(
        f"/api/v1/problem-sets/{SET}/grades", headers=People.auth(people.instructor)
    ).json()["grades"]
    score: float = next(
        grade["score"] for grade in grades if grade["student_id"] == people.alice_id
    )
    return score


def overrides_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Override)) or 0


def entry_of(page: str, submission_id: str) -> str:
    """The list entry of FIELD on a student's page."""
    start = page.index(f'id="field-{SET}-{FIELD}"')
    entry = page[start : page.index("</li>", start)]
    assert f'action="/submissions/{submission_id}/overrides/{FIELD}"' in entry
    return entry


@pytest.fixture
def counted(services: Services, session: Session, people: People) -> str:
    """Alice's submission that counts: an older one is listed but its fields are not."""
    store(services, session, people.alice_id, {"q1.b.W_h": "1 x 1"})
    return store(services, session, people.alice_id, ANSWERS)


def test_the_page_lists_the_counted_submissions_fields_with_their_forms(
    teacher: SignedIn, client: TestClient, people: People, counted: str
) -> None:
    grades = client.get(
        f"/api/v1/problem-sets/{SET}/grades", headers=People.auth(people.instructor)
    ).json()["grades"]
    assert next(g for g in grades if g["student_id"] == people.alice_id)["submission_id"] == counted
    page = teacher.client.get(f"/students/{people.alice_id}").text
    assert f'id="field-{SET}-q1.b.W_h"' not in page
    for field in ANSWERS:
        assert f'id="field-{SET}-{field}"' in page
    automatic = field_of(client, people, counted)
    entry = entry_of(page, counted)
    assert f"{points(automatic['score'])} of {points(automatic['max_score'])}" in entry
    assert f'<input type="hidden" name="csrf" value="{teacher.csrf}">' in entry
    assert "overridden" not in entry and "/removal" not in entry


def test_an_override_set_on_the_page_counts_and_shows_and_can_be_removed(
    teacher: SignedIn, client: TestClient, people: People, counted: str
) -> None:
    automatic = field_of(client, people, counted)
    before = counted_total(client, people)
    comment = f"Checked by hand. {SCRIPT}"
    response = post_override(teacher, counted, {"score": "0.5", "comment": comment})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/students/{people.alice_id}?changed={FIELD}"
    [stored] = history(client, people, counted)
    assert stored["in_force"] and stored["score"] == 0.5 and stored["comment"] == comment
    assert counted_total(client, people) == pytest.approx(before - automatic["score"] + 0.5)

    page = teacher.client.get(response.headers["location"]).text
    assert 'id="override-notice"' in page
    entry = entry_of(page, counted)
    assert f"0.5 of {points(automatic['max_score'])}" in entry
    assert f'<p class="override-comment">{escaped(comment)}</p>' in entry
    assert "<bdi>instructor</bdi>" in entry and "<script>alert" not in page
    assert f'action="/submissions/{counted}/overrides/{FIELD}/removal"' in entry

    removed = post_removal(teacher, counted, {"reason": "As graded after all."})
    assert removed.status_code == 303, removed.text
    assert [item["in_force"] for item in history(client, people, counted)] == [False]
    assert history(client, people, counted)[0]["removal_reason"] == "As graded after all."
    assert counted_total(client, people) == before
    assert "override-comment" not in entry_of(
        teacher.client.get(f"/students/{people.alice_id}").text, counted
    )


HOSTILE = [
    ("score above the field's points", {"score": "1000", "comment": "x"}, "must be between 0"),
    ("negative score", {"score": "-1", "comment": "x"}, "must be 0 or more"),
    ("not a number", {"score": "abc", "comment": "x"}, "must be a number"),
    ("code as the score", {"score": "__import__('os')", "comment": "x"}, "must be a number"),
    ("empty score", {"score": "", "comment": "x"}, "must be a number"),
    ("NaN score", {"score": "nan", "comment": "x"}, "must be a number"),
    ("infinite score", {"score": "1e999", "comment": "x"}, "must be a number"),
    ("huge score text", {"score": "1" * (MAX_SCORE_CHARS + 1), "comment": "x"}, "must be a number"),
    ("comment too long", {"score": "1", "comment": "x" * (MAX_COMMENT + 1)}, "longer than"),
    ("empty comment", {"score": "1", "comment": ""}, "Write a comment"),
    ("NUL in the comment", {"score": "1", "comment": "a\x00b"}, "NUL character"),
    ("script score", {"score": SCRIPT, "comment": SCRIPT}, "must be a number"),
]


@pytest.mark.parametrize(("case", "data", "says"), HOSTILE, ids=[case for case, _, _ in HOSTILE])
def test_a_refused_override_says_why_keeps_what_was_typed_and_stores_nothing(
    teacher: SignedIn,
    client: TestClient,
    people: People,
    session: Session,
    counted: str,
    case: str,
    data: dict[str, str],
    says: str,
) -> None:
    before = counted_total(client, people)
    response = post_override(teacher, counted, data)
    assert response.status_code == 422, (case, response.text)
    assert "was not set" in response.text and escaped(says) in response.text
    entry = entry_of(response.text, counted)
    assert f'value="{escaped(data["score"])}"' in entry
    if len(data["comment"]) <= MAX_COMMENT:
        assert f">{escaped(data['comment'])}</textarea>" in entry
    assert 'aria-invalid="true"' in entry and "<script>alert" not in response.text
    assert overrides_count(session) == 0
    assert counted_total(client, people) == before


@pytest.mark.parametrize(
    ("reason", "says"),
    [("", "Write the reason"), ("x" * (MAX_COMMENT + 1), "longer than"), ("a\x00", "NUL")],
    ids=["empty", "too long", "nul"],
)
def test_a_refused_removal_leaves_the_override_in_force(
    teacher: SignedIn, client: TestClient, people: People, counted: str, reason: str, says: str
) -> None:
    assert post_override(teacher, counted, {"score": "1", "comment": "x"}).status_code == 303
    response = post_removal(teacher, counted, {"reason": reason})
    assert response.status_code == 422, response.text
    assert "was not removed" in response.text and escaped(says) in response.text
    assert [item["in_force"] for item in history(client, people, counted)] == [True]


def test_removing_when_nothing_is_in_force_is_not_found(
    teacher: SignedIn, session: Session, counted: str
) -> None:
    response = post_removal(teacher, counted, {"reason": "x"})
    assert response.status_code == 404
    assert overrides_count(session) == 0


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/submissions/{'0' * 36}/overrides/{FIELD}", 404),
        ("/submissions/not-an-id/overrides/q3.a", 422),
        ("/submissions/{counted}/overrides/q9.nothing", 422),
        ("/submissions/{counted}/overrides/" + "x" * 101, 422),
    ],
    ids=["unknown submission", "bad id", "unanswered field", "long field"],
)
def test_an_unknown_submission_or_field_is_refused_as_a_page(
    teacher: SignedIn, session: Session, counted: str, path: str, status: int
) -> None:
    response = teacher.client.post(
        path.format(counted=counted), data={"csrf": teacher.csrf, "score": "1", "comment": "x"}
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert overrides_count(session) == 0


@pytest.mark.parametrize(
    "csrf", [None, "", "0" * 64, "<script>"], ids=["none", "empty", "zeros", "markup"]
)
def test_every_override_form_needs_the_csrf_token(
    teacher: SignedIn, session: Session, counted: str, csrf: str | None
) -> None:
    token = {} if csrf is None else {"csrf": csrf}
    for path in (
        f"/submissions/{counted}/overrides/{FIELD}",
        f"/submissions/{counted}/overrides/{FIELD}/removal",
    ):
        response = teacher.client.post(
            path, data={**token, "score": "1", "comment": "x", "reason": "x"}
        )
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
    assert overrides_count(session) == 0


def test_another_origin_cannot_set_an_override_even_with_the_token(
    teacher: SignedIn, session: Session, counted: str
) -> None:
    response = teacher.client.post(
        f"/submissions/{counted}/overrides/{FIELD}",
        data={"csrf": teacher.csrf, "score": "1", "comment": "x"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert overrides_count(session) == 0


def test_a_student_cannot_set_or_remove_an_override(
    teacher: SignedIn,
    alice: SignedIn,
    client: TestClient,
    people: People,
    session: Session,
    counted: str,
) -> None:
    refused = post_override(alice, counted, {"score": "1000", "comment": "mine"})
    assert refused.status_code == 403
    assert overrides_count(session) == 0
    assert post_override(teacher, counted, {"score": "1", "comment": "x"}).status_code == 303
    assert post_removal(alice, counted, {"reason": "mine"}).status_code == 403
    assert [item["in_force"] for item in history(client, people, counted)] == [True]


def test_a_notice_names_only_a_field_the_page_lists(
    teacher: SignedIn, people: People, counted: str
) -> None:
    listed = teacher.client.get(f"/students/{people.alice_id}?changed={FIELD}").text
    assert 'id="override-notice"' in listed
    forged = teacher.client.get(f"/students/{people.alice_id}?changed=Your+grade+is+final").text
    assert 'id="override-notice"' not in forged
