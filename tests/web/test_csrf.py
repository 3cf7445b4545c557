"""Every state-changing request from a page carries its session's CSRF token and no other
origin; a refused one changes nothing."""

import pytest
from fastapi import FastAPI

from app.web.deps import CSRF_HEADER
from tests.conftest import CountRows, People
from tests.web.conftest import SignedIn, sign_in

ANSWERS = {"answer:q1.a": "m x 10"}
PREVIEW = {"answers": {"q1.a": "m x 10"}}


@pytest.mark.parametrize(
    "csrf",
    [None, "", "0" * 64, "not-hex", "<script>", "\u202e" * 10],
    ids=["missing", "empty", "zeros", "not-hex", "markup", "bidi"],
)
def test_a_submission_without_its_csrf_token_is_refused(
    alice: SignedIn, row_counts: CountRows, csrf: str | None
) -> None:
    before = row_counts()
    data = ANSWERS if csrf is None else {**ANSWERS, "csrf": csrf}
    response = alice.client.post("/sets/dl-ex1/submissions", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert row_counts() == before


def test_another_sessions_csrf_token_is_refused(
    alice: SignedIn, bob: SignedIn, row_counts: CountRows
) -> None:
    before = row_counts()
    data = {**ANSWERS, "csrf": bob.csrf}
    response = alice.client.post("/sets/dl-ex1/submissions", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert row_counts() == before


def test_each_session_of_one_user_has_its_own_token(app: FastAPI, people: People) -> None:
    # The token signs the session's token; both browsers hold the same one, so they agree.
    assert sign_in(app, people.alice).csrf == sign_in(app, people.alice).csrf
    assert sign_in(app, people.alice).csrf != sign_in(app, people.bob).csrf


def test_a_submission_from_another_origin_is_refused_even_with_the_token(
    alice: SignedIn, row_counts: CountRows
) -> None:
    before = row_counts()
    response = alice.client.post(
        "/sets/dl-ex1/submissions",
        data={**ANSWERS, "csrf": alice.csrf},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert row_counts() == before


def test_a_submission_with_its_token_from_its_own_origin_is_stored(
    alice: SignedIn, row_counts: CountRows
) -> None:
    before = row_counts()
    response = alice.client.post(
        "/sets/dl-ex1/submissions",
        data={**ANSWERS, "csrf": alice.csrf},
        headers={"Origin": "https://testserver"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert row_counts().submissions == before.submissions + 1


@pytest.mark.parametrize(
    "headers",
    [{}, {CSRF_HEADER: ""}, {CSRF_HEADER: "0" * 64}],
    ids=["missing", "empty", "wrong"],
)
def test_the_pages_calls_need_the_csrf_header(alice: SignedIn, headers: dict[str, str]) -> None:
    preview = alice.client.post("/ui/problem-sets/dl-ex1/preview", json=PREVIEW, headers=headers)
    assert preview.status_code == 403
    assert preview.json()["error"] == "CsrfRefused"
    job = alice.client.get("/ui/jobs/00000000-0000-0000-0000-000000000000", headers=headers)
    assert job.status_code == 403


def test_a_csrf_token_in_a_form_field_does_not_open_a_json_call(alice: SignedIn) -> None:
    response = alice.client.post(
        "/ui/problem-sets/dl-ex1/preview", json={**PREVIEW, "csrf": alice.csrf}
    )
    assert response.status_code == 403


def test_another_users_header_is_refused(alice: SignedIn, bob: SignedIn) -> None:
    response = alice.client.post(
        "/ui/problem-sets/dl-ex1/preview", json=PREVIEW, headers=bob.headers()
    )
    assert response.status_code == 403
