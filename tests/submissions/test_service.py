"""The submission service against the test database: times, the grade book, failures."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db.models import User
from app.errors import SubmissionClosed
from app.gradebook import counting
from app.grading.result import FieldResult
from app.problemsets.grader import SubmissionGrader
from app.problemsets.runner import InProcessRunner
from app.services import Services
from app.submissions import service
from tests.conftest import CountRows, People
from tests.submissions.conftest import HW5, LATE_FACTOR, published_answers

BEFORE_DUE = datetime(1999, 12, 31, tzinfo=UTC)
AFTER_DUE = datetime(2000, 1, 2, tzinfo=UTC)
EARLY_FIELDS = ("q1.b", "q1.c", "q2.a.batchnorm", "q2.a.layernorm", "q2.b.grad", "q3.a")


def user(session: Session, user_id: str) -> User:
    found = session.get(User, user_id)
    assert found is not None
    return found


def test_best_counts_after_the_late_factor(
    policy_services: Services, session: Session, people: People
) -> None:
    alice = user(session, people.alice_id)
    answers = published_answers(HW5)
    partial = {field: answers[field] for field in EARLY_FIELDS}
    on_time = service.submit(
        policy_services, session, alice, "hw5-best-penalize", partial, now=BEFORE_DUE
    )
    late = service.submit(
        policy_services, session, alice, "hw5-best-penalize", answers, now=AFTER_DUE
    )
    assert late.total == 100 > on_time.total
    assert late.score == 100 * LATE_FACTOR < on_time.score
    book = counting.counted_grades(policy_services, session, "hw5-best-penalize")
    grade = next(row for row in book.grades if row.student_id == alice.id)
    assert (grade.submission_id, grade.score, grade.late) == (
        on_time.submission_id,
        on_time.score,
        False,
    )


def test_the_latest_counts_even_when_lower(
    policy_services: Services, session: Session, people: People
) -> None:
    alice = user(session, people.alice_id)
    service.submit(policy_services, session, alice, HW5, published_answers(HW5))
    low = service.submit(policy_services, session, alice, HW5, {"q3.a": "1"})
    book = counting.counted_grades(policy_services, session, HW5)
    grade = next(row for row in book.grades if row.student_id == alice.id)
    assert (grade.submission_id, grade.score) == (low.submission_id, 0.0)


def test_the_submission_time_decides_lateness(
    policy_services: Services, session: Session, people: People
) -> None:
    alice = user(session, people.alice_id)
    answers = {"q3.a": "108"}
    stored = service.submit(
        policy_services, session, alice, "hw5-late-refuse", answers, now=BEFORE_DUE
    )
    assert (stored.late, stored.created_at) == (False, BEFORE_DUE)
    assert stored.provenance.graded_at == BEFORE_DUE
    with pytest.raises(SubmissionClosed):
        service.submit(policy_services, session, alice, "hw5-late-refuse", answers, now=AFTER_DUE)


class FailingRunner(InProcessRunner):
    """Grades normally, then fails on one field, as a broken checker would."""

    def run(self, problem_set: str, field_id: str, student: str | None, raw: object) -> FieldResult:
        if field_id == "q3.a":
            raise RuntimeError("checker bug")
        return super().run(problem_set, field_id, student, raw)


def test_a_failure_while_grading_stores_nothing(
    app: FastAPI, services: Services, people: People, row_counts: CountRows
) -> None:
    runner = FailingRunner(services.catalog)
    app.state.services = replace(services, grader=SubmissionGrader(services.catalog, runner))
    client = TestClient(app, raise_server_exceptions=False)
    before = row_counts()
    response = client.post(
        f"/api/v1/problem-sets/{HW5}/submissions",
        json={"answers": published_answers(HW5)},
        headers=People.auth(people.alice),
    )
    assert response.status_code == 500
    assert response.json()["error"] == "InternalError"
    assert row_counts() == before
