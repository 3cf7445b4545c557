"""Ruling on a common answer from the statistics page: each read answer has the form; accepting
one makes the rule and leads to the regrade's page, which lists the students whose grade
changed; a named mistake gets its credit; a refused form re-renders the page with why, keeps
what was typed, and stores and queues nothing; without the CSRF token, or as a student, nothing
happens."""

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import AnswerRule, Job
from app.jobs.memory import MemoryBackend
from app.services import Services
from tests.conftest import People
from tests.web.conftest import SignedIn
from tests.web.instructor.pages import JOB_PATH, SCRIPT, SET, escaped, store

FIELD, ANSWER = "q2.total", "903401"
ACCEPT = {"field": FIELD, "answer": ANSWER, "verdict": "correct", "feedback": "Accepted."}
MISTAKE = {**ACCEPT, "verdict": "partial", "credit": "0.25", "note": "off by one"}


@pytest.fixture
def graded(services: Services, session: Session, people: People) -> None:
    """Bob typed a wrong number into q2.total; Alice typed a script into q1.a (unreadable)."""
    store(services, session, people.bob_id, {FIELD: ANSWER}, published=True)
    store(services, session, people.alice_id, {"q1.a": SCRIPT}, published=True)


def stored(session: Session) -> tuple[int, int]:
    """How many rules and jobs there are."""
    rules = session.scalar(select(func.count()).select_from(AnswerRule)) or 0
    jobs = session.scalar(select(func.count()).select_from(Job)) or 0
    return rules, jobs


def post(teacher: SignedIn, form: dict[str, str]) -> Any:
    return teacher.client.post(
        f"/sets/{SET}/rules", data={"csrf": teacher.csrf, **form}, follow_redirects=False
    )


def test_every_read_common_answer_has_the_form_and_an_unread_one_has_none(
    teacher: SignedIn, graded: None
) -> None:
    page = teacher.client.get(f"/sets/{SET}/stats").text
    assert page.count('action="/sets/dl-ex1/rules"') == 1
    assert f'<input type="hidden" name="answer" value="{ANSWER}">' in page
    assert f'<input type="hidden" name="csrf" value="{teacher.csrf}">' in page
    assert "<script>alert" not in page


@pytest.mark.parametrize(
    ("form", "verdict", "share"), [(ACCEPT, "correct", 1.0), (MISTAKE, "partial", 0.25)]
)
def test_a_rule_regrades_and_the_job_page_lists_whose_grade_changed(
    teacher: SignedIn,
    backend: MemoryBackend,
    session: Session,
    people: People,
    graded: None,
    form: dict[str, str],
    verdict: str,
    share: float,
) -> None:
    response = post(teacher, form)

    assert response.status_code == 303, response.text
    found = JOB_PATH.match(response.headers["location"])
    assert found is not None and backend.submitted == [found.group(1)]
    backend.run_pending()
    page = teacher.client.get(response.headers["location"]).text
    assert f'<a href="/students/{people.bob_id}"><bdi>bob</bdi></a>' in page
    assert "alice" not in page
    assert "2 submissions regraded; 1 got a new score on some field." in page
    [rule] = session.scalars(select(AnswerRule)).all()
    assert (rule.field, rule.parsed, rule.verdict, rule.credit) == (FIELD, ANSWER, verdict, share)


REFUSED = {
    "a mistake with no name": ({**MISTAKE, "note": ""}, "needs a note"),
    "a mistake with no credit": ({**MISTAKE, "credit": ""}, "credit below 1"),
    "full credit for a mistake": ({**MISTAKE, "credit": "1"}, "credit below 1"),
    "credit not a number": ({**MISTAKE, "credit": "a lot"}, "a number from 0 to 1"),
    "credit NaN": ({**MISTAKE, "credit": "NaN"}, "a number from 0 to 1"),
    "credit below 0": ({**MISTAKE, "credit": "-0.5"}, "a number from 0 to 1"),
    "no feedback": ({**ACCEPT, "feedback": "   "}, "Write the feedback"),
    "feedback too long": ({**ACCEPT, "feedback": "x" * 2001}, "at most 2,000"),
    "no verdict": ({**ACCEPT, "verdict": ""}, "correct or a named mistake"),
    "another verdict": ({**ACCEPT, "verdict": "incorrect"}, "correct or a named mistake"),
    "an unknown field": ({**ACCEPT, "field": "q9.z"}, "Unknown field id"),
    "a field that is a script": ({**ACCEPT, "field": SCRIPT}, "Unknown field id"),
    "an unreadable answer": ({**ACCEPT, "answer": "1 +"}, "could not be read"),
    "an empty answer": ({**ACCEPT, "answer": ""}, "shown on this page"),
}


@pytest.mark.parametrize(("form", "says"), REFUSED.values(), ids=REFUSED)
def test_a_refused_rule_shows_why_keeps_the_form_and_stores_nothing(
    teacher: SignedIn,
    backend: MemoryBackend,
    session: Session,
    graded: None,
    form: dict[str, str],
    says: str,
) -> None:
    before = stored(session)
    typed = {**form, "feedback": form["feedback"] + SCRIPT}
    if form["feedback"].strip() == "" or len(form["feedback"]) > 2000:
        typed = form

    response = post(teacher, typed)

    assert response.status_code == 422
    assert '<div class="alert" role="alert" id="rule-error" data-focus>' in response.text
    assert says in response.text
    assert "<script>alert" not in response.text
    if typed["field"] == FIELD and typed["answer"] == ANSWER:
        assert '<details class="rule" open>' in response.text
        assert f">{escaped(typed['feedback'])}</textarea>" in response.text
    assert stored(session) == before and backend.submitted == []


def test_a_second_rule_on_the_same_answer_is_refused(
    teacher: SignedIn, backend: MemoryBackend, session: Session, graded: None
) -> None:
    assert post(teacher, ACCEPT).status_code == 303
    before = stored(session)
    response = post(teacher, MISTAKE)
    assert response.status_code == 422 and "already exists" in response.text
    assert stored(session) == before


@pytest.mark.parametrize("csrf", [None, "", "0" * 64], ids=["none", "empty", "wrong"])
def test_without_the_csrf_token_nothing_is_ruled(
    teacher: SignedIn, backend: MemoryBackend, session: Session, csrf: str | None
) -> None:
    before = stored(session)
    data = {**ACCEPT} if csrf is None else {**ACCEPT, "csrf": csrf}
    response = teacher.client.post(f"/sets/{SET}/rules", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert stored(session) == before and backend.submitted == []


def test_a_student_cannot_rule(alice: SignedIn, backend: MemoryBackend, session: Session) -> None:
    before = stored(session)
    response = alice.client.post(f"/sets/{SET}/rules", data={"csrf": alice.csrf, **ACCEPT})
    assert response.status_code == 403
    assert stored(session) == before and backend.submitted == []
