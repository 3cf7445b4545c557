"""The submissions table lists what the API lists, newest first, filtered by student, lateness
and score, a page at a time; a student's page lists their work per problem set; an instructor
reads any submission with its student; a `<script>` answer or name is text on every page."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db.models import Role
from app.services import Services
from app.submissions.policy import Lateness
from app.users.service import issue
from app.web import instructor_views
from app.web.templating import points
from tests.conftest import People
from tests.problemsets.answers_expressions import ACCEPTED
from tests.web.conftest import SignedIn
from tests.web.instructor.pages import SCRIPT, SET, escaped, store

ROW_LINK = re.compile(r'<a href="/submissions/([0-9a-f-]{36})">')
# Right whatever the student's numbers: the batch-norm gradients are symbolic.
CORRECT = next(answer for ps, field, answer in ACCEPTED if (ps, field) == (SET, "q3.a"))
WRONG = "7 x 7"
LATE = Lateness(late=True, factor=0.5)


def listed(teacher: SignedIn, query: str = "") -> list[str]:
    """The submission ids the table shows, in its order."""
    response = teacher.client.get(f"/classwork/{SET}?{query}")
    assert response.status_code == 200, response.text
    return ROW_LINK.findall(response.text)


def api_ids(client: TestClient, people: People, query: str = "") -> list[str]:
    response = client.get(
        f"/api/v1/problem-sets/{SET}/submissions?limit=200&{query}",
        headers=People.auth(people.instructor),
    )
    assert response.status_code == 200, response.text
    return [item["submission_id"] for item in response.json()["items"]]


@pytest.fixture
def work(services: Services, session: Session, people: People) -> dict[str, str]:
    """Five submissions of two students: some points or none, late or on time."""
    right, wrong = {"q3.a": CORRECT}, {"q3.a": WRONG}
    return {
        "alice some": store(services, session, people.alice_id, right),
        "alice none": store(services, session, people.alice_id, wrong),
        "bob some late": store(services, session, people.bob_id, right, late=LATE),
        "bob some": store(services, session, people.bob_id, {**right, "q1.a": WRONG}),
        "bob none late": store(services, session, people.bob_id, wrong, late=LATE),
    }


def test_the_table_is_the_apis_list_newest_first(
    teacher: SignedIn, client: TestClient, people: People, work: dict[str, str]
) -> None:
    assert listed(teacher) == api_ids(client, people)
    bob = f"student={people.bob_id}"
    assert listed(teacher, bob) == api_ids(client, people, bob)
    assert set(listed(teacher)) == set(work.values())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("late=late", {"bob some late", "bob none late"}),
        ("late=on-time", {"alice some", "alice none", "bob some"}),
        ("score=none", {"alice none", "bob none late"}),
        ("score=some", {"alice some", "bob some late", "bob some"}),
        ("score=full", set()),
        ("late=late&score=none", {"bob none late"}),
        ("student={bob}&late=on-time", {"bob some"}),
    ],
)
def test_the_filters_keep_what_they_say(
    teacher: SignedIn, people: People, work: dict[str, str], query: str, expected: set[str]
) -> None:
    response = teacher.client.get(f"/classwork/{SET}?{query.format(bob=people.bob_id)}")
    assert set(ROW_LINK.findall(response.text)) == {work[name] for name in expected}
    if not expected:
        assert "No submissions match these filters." in response.text


def test_pages_hold_fifty_and_link_to_each_other(
    teacher: SignedIn,
    services: Services,
    session: Session,
    people: People,
    client: TestClient,
) -> None:
    size = instructor_views.PAGE_SIZE
    for index in range(size + 3):
        store(services, session, people.alice_id, {"q1.a": f"m x {index}"})
    everything = api_ids(client, people)
    first = teacher.client.get(f"/classwork/{SET}?student={people.alice_id}").text
    assert ROW_LINK.findall(first) == everything[:size]
    assert f'href="/classwork/{SET}?student={people.alice_id}&amp;page=2" rel="next"' in first
    second = teacher.client.get(f"/classwork/{SET}?student={people.alice_id}&page=2").text
    assert ROW_LINK.findall(second) == everything[size:]
    assert f'href="/classwork/{SET}?student={people.alice_id}" rel="prev"' in second
    assert 'rel="next"' not in second
    # A filtered page goes by the filter's matches, not the table's rows.
    late = teacher.client.get(f"/classwork/{SET}?late=on-time&page=2").text
    assert ROW_LINK.findall(late) == everything[size:]


def test_the_filters_reach_every_submission(
    teacher: SignedIn,
    services: Services,
    session: Session,
    people: People,
    client: TestClient,
) -> None:
    late = store(services, session, people.alice_id, {"q3.a": CORRECT}, late=LATE)
    wrong = store(services, session, people.bob_id, {"q3.a": WRONG})
    for _ in range(instructor_views.PAGE_SIZE + 1):
        store(services, session, people.alice_id, {"q3.a": CORRECT})
    # Older than a page of newer work, each is still what its filters find.
    assert listed(teacher, "late=late") == [late] == api_ids(client, people, "late=true")
    assert listed(teacher, "late=late&score=some") == [late]
    assert listed(teacher, "score=none") == [wrong] == api_ids(client, people, "score=none")
    on_time = api_ids(client, people, "late=false")
    assert wrong in on_time and late not in on_time
    size = instructor_views.PAGE_SIZE
    assert listed(teacher, "late=on-time") == on_time[:size]
    assert listed(teacher, "late=on-time&page=2") == on_time[size:]
    page = teacher.client.get(f"/classwork/{SET}?late=late").text
    assert "looked at the newest" not in page and 'rel="next"' not in page


def test_a_students_page_lists_their_work_per_problem_set(
    teacher: SignedIn, client: TestClient, people: People, work: dict[str, str]
) -> None:
    page = teacher.client.get(f"/students/{people.bob_id}").text
    ids = ROW_LINK.findall(page)
    assert ids == api_ids(client, people, f"student={people.bob_id}")
    assert work["alice some"] not in page and work["alice none"] not in page
    grades = client.get(
        f"/api/v1/problem-sets/{SET}/grades", headers=People.auth(people.instructor)
    ).json()["grades"]
    counted = next(grade["score"] for grade in grades if grade["student_id"] == people.bob_id)
    assert f"What counts: {points(counted)} of 100." in page
    assert "What counts: nothing yet" in page  # eecs182-hw5


def test_an_instructor_reads_a_submission_with_its_student(
    teacher: SignedIn, people: People, work: dict[str, str]
) -> None:
    page = teacher.client.get(f"/submissions/{work['bob some']}").text
    assert f'<a href="/students/{people.bob_id}"><bdi>bob</bdi></a>' in page
    assert f'href="/classwork/{SET}"' in page
    assert "<dt>Typed</dt>" in page and "You typed" not in page


def test_a_script_name_and_answer_are_text_on_every_instructor_page_that_shows_them(
    teacher: SignedIn, services: Services, session: Session
) -> None:
    mallory = issue(session, name=SCRIPT, role=Role.STUDENT, login=SCRIPT).user
    session.commit()
    submission_id = store(services, session, mallory.id, {"q1.a": SCRIPT, "q3.c": SCRIPT})
    pages = {
        "submission": teacher.client.get(f"/submissions/{submission_id}").text,
        "table": teacher.client.get(f"/classwork/{SET}").text,
        "history": teacher.client.get(f"/students/{mallory.id}").text,
        "stats": teacher.client.get(f"/sets/{SET}/stats").text,
    }
    for name, page in pages.items():
        assert "<script>alert" not in page and "<img src=x" not in page, name
    name_link = f'<a href="/students/{mallory.id}"><bdi>{escaped(SCRIPT)}</bdi></a>'
    assert name_link in pages["submission"] and name_link in pages["table"]
    assert f"<h1><bdi>{escaped(SCRIPT)}</bdi></h1>" in pages["history"]
    assert f'<pre class="answer">{escaped(SCRIPT)}</pre>' in pages["submission"]
    # The statistics group wrong answers by how they read: unread ones as typed, escaped.
    assert f"<code><bdi>{escaped(SCRIPT)}</bdi></code>" in pages["stats"]
