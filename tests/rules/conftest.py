"""Fixtures for answer rules: an HTTP client whose jobs (regrades) run when the test says."""

from dataclasses import replace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.jobs.memory import MemoryBackend
from app.services import Services
from tests.jobs.conftest import units_in


@pytest.fixture
def backend(services: Services, session: Session) -> MemoryBackend:
    """Jobs held until the test runs them, in the test's transaction."""
    return MemoryBackend(units_in(session), services.job_kinds)


@pytest.fixture
def job_client(app: FastAPI, services: Services, backend: MemoryBackend) -> TestClient:
    """An HTTP client whose jobs queue on `backend`."""
    app.state.services = replace(services, jobs=backend)
    return TestClient(app, raise_server_exceptions=False)
