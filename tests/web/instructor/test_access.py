"""Every instructor page opens for an instructor, refuses a student (403, as a page) and sends
a signed-out visitor to the sign-in page; each carries the pages' policy and nothing it blocks."""

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from app.services import Services
from app.web.security import CSP
from tests.conftest import People
from tests.web.conftest import SignedIn, browser
from tests.web.instructor.pages import SET, hold_jobs, store
from tests.web.test_headers import blocked


def instructor_pages(
    app: FastAPI, services: Services, session: Session, people: People, teacher: SignedIn
) -> list[str]:
    """A path of every kind of instructor page, with work and a job to show."""
    submission_id = store(services, session, people.alice_id, {"q1.a": "m x 10"})
    hold_jobs(app, session)
    regrade = teacher.client.post(
        f"/sets/{SET}/regrade", data={"csrf": teacher.csrf}, follow_redirects=False
    )
    assert regrade.status_code == 303, regrade.text
    return [
        "/classwork",
        f"/classwork/{SET}",
        f"/classwork/{SET}?late=late&score=some&page=2",
        f"/students/{people.alice_id}",
        "/roster",
        f"/roster/{people.alice_id}/revoke",
        f"/roster/{people.alice_id}/token",
        f"/sets/{SET}/batch",
        f"/sets/{SET}/stats",
        "/sets/eecs182-hw5/stats",
        regrade.headers["location"],
        f"/submissions/{submission_id}",
    ]


def test_every_instructor_page_opens_with_the_policy_and_nothing_it_blocks(
    app: FastAPI, services: Services, session: Session, people: People, teacher: SignedIn
) -> None:
    for path in instructor_pages(app, services, session, people, teacher):
        response = teacher.client.get(path)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"].startswith("text/html"), path
        assert response.headers["content-security-policy"] == CSP, path
        assert response.headers["cache-control"] == "no-store", path
        assert blocked(response.text) == [], path
        assert 'href="/roster"' in response.text and 'href="/classwork"' in response.text


def test_a_student_is_refused_every_instructor_page(
    app: FastAPI,
    services: Services,
    session: Session,
    people: People,
    teacher: SignedIn,
    alice: SignedIn,
) -> None:
    paths = instructor_pages(app, services, session, people, teacher)
    paths += [f"/sets/{SET}/gradebook?format={kind}" for kind in ("csv", "canvas", "json")]
    paths.append(f"/sets/{SET}/report")
    for path in paths:
        if path.startswith("/submissions/"):
            continue  # her own submission, which she may read
        response = alice.client.get(path)
        assert response.status_code == 403, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert "Only an instructor may do this." in response.text
        assert "content-disposition" not in response.headers
    # The navigation offers a student none of them.
    page = alice.client.get("/sets").text
    assert 'href="/roster"' not in page and 'href="/classwork"' not in page


def test_a_signed_out_visitor_goes_to_the_sign_in_page(
    app: FastAPI, services: Services, session: Session, people: People, teacher: SignedIn
) -> None:
    paths = instructor_pages(app, services, session, people, teacher)
    paths += [f"/sets/{SET}/gradebook", f"/sets/{SET}/report"]
    visitor = browser(app)
    for path in paths:
        response = visitor.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/", path


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/classwork/no-such-set", 404),
        ("/sets/no-such-set/stats", 404),
        ("/sets/no-such-set/batch", 404),
        ("/sets/no-such-set/gradebook", 404),
        (f"/sets/{SET}/gradebook?format=xlsx", 422),
        (f"/classwork/{SET}?student=<script>", 422),
        (f"/classwork/{SET}?late=sometimes", 422),
        (f"/classwork/{SET}?page=0", 422),
        (f"/classwork/{SET}?page=99999999999999999999", 422),
        ("/students/not-an-id", 422),
        ("/students/ffffffff-ffff-ffff-ffff-ffffffffffff", 404),
        ("/roster/ffffffff-ffff-ffff-ffff-ffffffffffff/revoke", 404),
        ("/roster/ffffffff-ffff-ffff-ffff-ffffffffffff/token", 404),
        ("/roster/not-an-id/token", 422),
        ("/roster?revoked=%00", 422),
        ("/jobs/ffffffff-ffff-ffff-ffff-ffffffffffff", 404),
        ("/jobs/not-a-job", 422),
    ],
)
def test_unknown_or_malformed_addresses_are_pages(
    teacher: SignedIn, path: str, status: int
) -> None:
    response = teacher.client.get(path)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
