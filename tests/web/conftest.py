"""Fixtures for the web pages: a browser-like client over HTTPS (the session cookie is Secure)
that signs in through the sign-in form."""

import re
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import People

BASE_URL = "https://testserver"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


def browser(app: FastAPI) -> TestClient:
    """A client that keeps cookies, as a browser does, on the app's own origin."""
    return TestClient(app, base_url=BASE_URL, raise_server_exceptions=False)


def csrf_of(html: str) -> str:
    """The CSRF token a page carries."""
    found = CSRF_META.search(html)
    assert found is not None, "the page carries no CSRF token"
    return found.group(1)


@dataclass
class SignedIn:
    """A browser signed in as one user, and the CSRF token of its session."""

    client: TestClient
    csrf: str

    def headers(self) -> dict[str, str]:
        """The headers the page's script sends to /ui/... routes."""
        return {"X-CSRF-Token": self.csrf}


def sign_in(app: FastAPI, token: str) -> SignedIn:
    """A new browser that signed in with `token` through the form."""
    client = browser(app)
    response = client.post("/signin", data={"token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    page = client.get("/sets")
    assert page.status_code == 200, page.text
    return SignedIn(client, csrf_of(page.text))


@pytest.fixture
def alice(app: FastAPI, people: People) -> SignedIn:
    """Alice, a student, signed in."""
    return sign_in(app, people.alice)


@pytest.fixture
def bob(app: FastAPI, people: People) -> SignedIn:
    """Bob, another student, signed in."""
    return sign_in(app, people.bob)
