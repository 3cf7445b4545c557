"""Fixtures for the instructor pages: the instructor signed in, jobs held until the test runs
them, and a sign-in limit of each test's own (these tests sign in often, and the shared
services' limiter counts every sign-in of the session's tests against one client)."""

from dataclasses import replace

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from app.jobs.memory import MemoryBackend
from app.ratelimit import RateLimiter
from app.services import Services
from tests.conftest import People
from tests.web.conftest import SignedIn, sign_in
from tests.web.instructor.pages import hold_jobs


@pytest.fixture(autouse=True)
def own_limits(app: FastAPI, services: Services) -> None:
    """A fresh limiter at the service's limits, for this test's requests only."""
    limiter = RateLimiter(services.settings.rate_limit)
    app.state.services = replace(services, limiter=limiter)


@pytest.fixture
def teacher(app: FastAPI, people: People, own_limits: None) -> SignedIn:
    """The instructor, signed in."""
    return sign_in(app, people.instructor)


@pytest.fixture
def backend(app: FastAPI, session: Session, own_limits: None) -> MemoryBackend:
    """Jobs the pages queue, held until the test runs them."""
    return hold_jobs(app, session)
