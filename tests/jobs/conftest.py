"""Fixtures for jobs: a unit of work inside the test's transaction, and jobs to run."""

from collections.abc import Callable
from functools import partial

import pytest
from sqlalchemy.orm import Session

from app.db.engine import committed
from app.db.models import Job
from app.jobs import service
from app.jobs.protocol import UnitOfWork
from tests.conftest import People


def units_in(session: Session) -> UnitOfWork:
    """Units of work that are savepoints of the test's transaction."""
    return partial(committed, session)


@pytest.fixture
def units(session: Session) -> UnitOfWork:
    """Units of work inside the test's transaction."""
    return units_in(session)


MakeJob = Callable[..., Job]


@pytest.fixture
def make_job(session: Session, people: People) -> MakeJob:
    """Create and commit a queued job of a test kind."""

    def make(kind: str = "tests.echo", **spec: object) -> Job:
        job = Job(kind=kind, user_id=people.alice_id, problem_set="dl-ex1", field="q4.baseline")
        job.spec = dict(spec)
        service.create(session, job)
        session.commit()
        return job

    return make
