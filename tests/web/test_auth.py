"""Signing in and out: the cookie's flags, refusals that say nothing of why, the sign-in rate
limit, and pages that send a browser without a session to the sign-in page."""

from dataclasses import replace
from http.cookies import SimpleCookie

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from app.db.models import Role
from app.ratelimit import RateLimiter
from app.services import Services
from app.users.service import issue, revoke_student
from app.web.auth import NOT_ACCEPTED
from app.web.deps import COOKIE, MAX_TOKEN_CHARS
from tests.conftest import People
from tests.web.conftest import SignedIn, browser, sign_in

PAGES = ["/sets", "/sets/dl-ex1", "/submissions/00000000-0000-0000-0000-000000000000"]


def cookie_of(set_cookie: str) -> SimpleCookie:
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(set_cookie)
    return cookie


def test_signing_in_keeps_the_token_in_a_secure_http_only_strict_cookie(
    app: FastAPI, people: People
) -> None:
    client = browser(app)
    response = client.post("/signin", data={"token": people.alice}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sets"
    morsel = cookie_of(response.headers["set-cookie"])[COOKIE]
    assert morsel.value == people.alice
    assert morsel["httponly"] and morsel["secure"]
    assert morsel["samesite"].lower() == "strict"
    assert morsel["path"] == "/"


def test_the_cookie_is_not_secure_when_the_setting_says_so(
    app: FastAPI, services: Services, people: People
) -> None:
    settings = services.settings.model_copy(update={"cookie_secure": False})
    app.state.services = replace(services, settings=settings)
    response = browser(app).post("/signin", data={"token": people.alice}, follow_redirects=False)
    morsel = cookie_of(response.headers["set-cookie"])[COOKIE]
    assert not morsel["secure"] and morsel["httponly"]


@pytest.mark.parametrize(
    "token",
    [
        "",
        "   ",
        "not-a-token",
        "x" * (MAX_TOKEN_CHARS + 1),
        "<script>alert(1)</script>",
        "\x00",
        "' OR 1=1 --",
        "Bearer ",
    ],
)
def test_a_bad_token_shows_the_form_again_and_sets_no_cookie(app: FastAPI, token: str) -> None:
    response = browser(app).post("/signin", data={"token": token}, follow_redirects=False)
    assert response.status_code == 401
    assert "set-cookie" not in response.headers
    assert NOT_ACCEPTED.replace("'", "&#39;") in response.text
    assert "<script>alert" not in response.text


def test_a_revoked_token_reads_like_an_unknown_one(
    app: FastAPI, session: Session, people: People
) -> None:
    revoke_student(session, people.bob_id)
    session.commit()
    revoked = browser(app).post("/signin", data={"token": people.bob})
    unknown = browser(app).post("/signin", data={"token": "unknown-token"})
    assert revoked.status_code == unknown.status_code == 401
    assert revoked.text == unknown.text


def test_a_revoked_students_session_ends(
    app: FastAPI, session: Session, people: People, bob: SignedIn
) -> None:
    revoke_student(session, people.bob_id)
    session.commit()
    response = bob.client.get("/sets", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_signing_out_clears_the_cookie_and_the_pages_close(alice: SignedIn) -> None:
    response = alice.client.post("/signout", data={"csrf": alice.csrf}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    morsel = cookie_of(response.headers["set-cookie"])[COOKIE]
    assert morsel["max-age"] == "0"
    closed = alice.client.get("/sets", follow_redirects=False)
    assert closed.status_code == 303 and closed.headers["location"] == "/"


def test_signing_out_needs_the_csrf_token(alice: SignedIn) -> None:
    response = alice.client.post("/signout", data={}, follow_redirects=False)
    assert response.status_code == 403
    assert alice.client.get("/sets").status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_no_page_opens_without_a_session(app: FastAPI, path: str) -> None:
    response = browser(app).get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


@pytest.mark.parametrize("cookie", ["forged", "x" * 5000, "\u202e", ""])
def test_a_forged_cookie_opens_nothing_and_is_forgotten(app: FastAPI, cookie: str) -> None:
    client = browser(app)
    client.cookies.set(COOKIE, cookie, domain="testserver")
    response = client.get("/sets", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert "Max-Age=0" in response.headers["set-cookie"]


def test_the_sign_in_page_sends_someone_signed_in_on(alice: SignedIn) -> None:
    response = alice.client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/sets"


def test_an_instructor_signs_in_too(app: FastAPI, people: People) -> None:
    instructor = sign_in(app, people.instructor)
    page = instructor.client.get("/sets")
    assert page.status_code == 200 and "instructor" in page.text


def test_sign_in_attempts_are_rate_limited_per_address(
    app: FastAPI, services: Services, session: Session
) -> None:
    app.state.services = replace(services, limiter=RateLimiter("3/minute"))
    student = issue(session, name="carol", role=Role.STUDENT)
    session.commit()
    client = browser(app)
    for _ in range(3):
        assert client.post("/signin", data={"token": "wrong"}).status_code == 401
    refused = client.post("/signin", data={"token": student.token}, follow_redirects=False)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "set-cookie" not in refused.headers


def test_a_sign_in_posted_from_another_site_is_refused(app: FastAPI, people: People) -> None:
    response = browser(app).post(
        "/signin",
        data={"token": people.alice},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def test_the_api_does_not_take_the_session_cookie(alice: SignedIn) -> None:
    # Otherwise any site could make a signed-in browser call the API without a CSRF token.
    response = alice.client.get("/api/v1/problem-sets")
    assert response.status_code == 401
