"""The one open request per student, problem set and field holds in the database itself, so
two requests opened at once cannot both be stored; closed ones do not count."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import RegradeRequest, RegradeRequestStatus
from app.regrade_requests import repository
from tests.conftest import People

FIELD = "q2.total"


def stored(people: People, submission_id: str, status: str) -> RegradeRequest:
    return RegradeRequest(
        submission_id=submission_id,
        user_id=people.alice_id,
        problem_set="dl-ex1",
        field=FIELD,
        message="Please look.",
        status=status,
    )


def test_a_second_open_request_on_a_field_is_not_stored(
    client: TestClient, people: People, session: Session
) -> None:
    response = client.post(
        "/api/v1/problem-sets/dl-ex1/submissions",
        json={"answers": {FIELD: "0"}},
        headers=People.auth(people.alice),
    )
    submission_id = response.json()["submission_id"]
    closed = RegradeRequestStatus.CLOSED.value
    opened = RegradeRequestStatus.OPEN.value
    assert repository.add(session, stored(people, submission_id, closed))
    assert repository.add(session, stored(people, submission_id, closed))
    assert repository.add(session, stored(people, submission_id, opened))
    # As if a second request had passed the check before the first was stored.
    assert not repository.add(session, stored(people, submission_id, opened))
    statuses = session.scalars(select(RegradeRequest.status).order_by(RegradeRequest.status))
    assert list(statuses) == [closed, closed, opened]
    assert session.scalar(select(func.count()).select_from(RegradeRequest)) == 3
