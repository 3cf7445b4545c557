"""Fixtures for jobs: a unit of work inside the test's transaction, jobs to run, and for the
Celery tests a database and a broker of each module's own."""

from collections.abc import Callable, Iterator
from functools import partial

import pytest
from sqlalchemy.orm import Session

from app.db.engine import committed
from app.db.models import Job
from app.jobs import service
from app.jobs.protocol import UnitOfWork
from tests.conftest import People, redis_url
from tests.jobs.celery_harness import Api, api_settings, isolated, postgres_database, running_api


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


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    """A database of this module's own on the test PostgreSQL server."""
    with postgres_database() as own:
        yield own


@pytest.fixture(scope="module")
def broker_url() -> str:
    """The test Redis server, on a database of this module's own."""
    url = redis_url()
    if url is None:
        pytest.skip("no Redis server (DLGRADE_TEST_REDIS_URL is not set)")
    return isolated(url)


@pytest.fixture(scope="module")
def api(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, broker_url: str
) -> Iterator[Api]:
    """The API, with a data directory the workers do not share."""
    settings = api_settings(tmp_path_factory.mktemp("api"), database_url, broker_url)
    with running_api(settings) as running:
        yield running
