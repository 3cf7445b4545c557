"""Job queries: the specs of a user's waiting jobs; on SQLite and PostgreSQL."""

from sqlalchemy.orm import Session

from app.db.models import JobStatus
from app.jobs import repository
from tests.conftest import People
from tests.jobs.conftest import MakeJob


def test_pending_specs_are_the_users_waiting_jobs_of_one_kind(
    session: Session, make_job: MakeJob, people: People
) -> None:
    waiting, started = make_job(n=1), make_job(n=2)
    started.status = JobStatus.RUNNING.value
    make_job(n=3).status = JobStatus.DONE.value
    make_job("tests.other", n=4)
    theirs = make_job(n=5)
    theirs.user_id = people.bob_id
    session.commit()
    specs = repository.pending_specs(session, people.alice_id, "tests.echo")
    assert sorted(spec["n"] for spec in specs) == [waiting.spec["n"], started.spec["n"]]
