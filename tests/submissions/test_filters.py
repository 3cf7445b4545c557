"""Listing submissions by lateness and by score band after the late factor, on SQLite and
PostgreSQL: the database filters every submission, through the repository and the API."""

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db.models import Submission, User
from app.services import Services
from app.submissions import repository, service
from app.submissions.policy import final_score
from app.submissions.repository import ScoreBand
from app.submissions.schemas import SubmissionPublic
from tests.conftest import People
from tests.submissions.conftest import HW5, published_answers

PENALIZED = "hw5-late-penalize"
BEFORE_DUE = datetime(1999, 12, 31, tzinfo=UTC)
AFTER_DUE = datetime(2000, 1, 2, tzinfo=UTC)
BANDS: tuple[ScoreBand, ...] = ("full", "some", "none")


def band_of(item: SubmissionPublic) -> ScoreBand:
    """The band of a submission, from the score and maximum it was stored with."""
    if item.score == 0:
        return "none"
    return "full" if item.score == item.max_total else "some"


def hand_in(
    services: Services, session: Session, student: User, answers: dict[str, str], when: datetime
) -> SubmissionPublic:
    return service.submit(services, session, student, PENALIZED, answers, now=when)


@pytest.fixture
def work(policy_services: Services, session: Session, people: People) -> list[SubmissionPublic]:
    """Full, partial and zero scores of two students, on time and late, oldest first."""
    full = published_answers(HW5)
    partial = {"q3.a": full["q3.a"], "q1.b": "[3, -1, 2]"}
    zero = {"q3.a": "1"}
    alice, bob = (session.get(User, key) for key in (people.alice_id, people.bob_id))
    assert alice is not None and bob is not None
    plan = [(alice, full), (alice, partial), (alice, zero), (bob, full), (bob, zero)]
    stored = [
        hand_in(policy_services, session, student, answers, due + timedelta(minutes=minute))
        for due in (BEFORE_DUE, AFTER_DUE)
        for minute, (student, answers) in enumerate(plan)
    ]
    # Every lateness and band is present, so each filter has something to keep and to drop.
    assert {item.late for item in stored} == {True, False}
    assert {band_of(item) for item in stored} == set(BANDS)
    return stored


def expected(
    work: list[SubmissionPublic], *, late: bool | None, score: ScoreBand | None, user: str = ""
) -> list[str]:
    """Ids of the submissions the filters keep, newest first."""
    return [
        item.submission_id
        for item in reversed(work)
        if late in (None, item.late)
        and score in (None, band_of(item))
        and user in ("", item.user_id)
    ]


def listed(client: TestClient, token: str, query: str) -> list[str]:
    response = client.get(
        f"/api/v1/problem-sets/{PENALIZED}/submissions?limit=200&{query}",
        headers=People.auth(token),
    )
    assert response.status_code == 200, response.text
    return [item["submission_id"] for item in response.json()["items"]]


def query_of(late: bool | None, score: ScoreBand | None) -> str:
    parts = [] if late is None else [f"late={str(late).lower()}"]
    return "&".join(parts + ([] if score is None else [f"score={score}"]))


@pytest.mark.parametrize(("late", "score"), list(product((None, True, False), (None, *BANDS))))
def test_an_instructor_lists_exactly_what_the_filters_keep(
    policy_client: TestClient,
    people: People,
    work: list[SubmissionPublic],
    late: bool | None,
    score: ScoreBand | None,
) -> None:
    got = listed(policy_client, people.instructor, query_of(late, score))
    assert got == expected(work, late=late, score=score)


@pytest.mark.parametrize(("late", "score"), [(True, None), (False, "full"), (True, "some")])
def test_a_student_filters_their_own(
    policy_client: TestClient,
    people: People,
    work: list[SubmissionPublic],
    late: bool | None,
    score: ScoreBand | None,
) -> None:
    got = listed(policy_client, people.bob, query_of(late, score))
    assert got == expected(work, late=late, score=score, user=people.bob_id)


def test_filtered_pages_go_by_the_matches(
    policy_client: TestClient, people: People, work: list[SubmissionPublic]
) -> None:
    matches = expected(work, late=True, score=None)
    pages = [
        listed(policy_client, people.instructor, f"late=true&limit=2&offset={offset}")
        for offset in range(0, len(matches), 2)
    ]
    assert [item for page in pages for item in page] == matches


def test_a_late_full_answer_is_some_points_after_the_late_factor(
    policy_client: TestClient, people: People, work: list[SubmissionPublic]
) -> None:
    late_full = [item for item in work if item.late and item.total == item.max_total]
    assert late_full and all(item.score < item.max_total for item in late_full)
    full = listed(policy_client, people.instructor, "score=full")
    assert not {item.submission_id for item in late_full} & set(full)


def stored_with(
    services: Services, session: Session, people: People, *, total: float, factor: float
) -> Submission:
    """A submission of alice with the given total (of 100) and late factor."""
    student = session.get(User, people.alice_id)
    assert student is not None
    provenance = service.provenance_of(services, HW5, BEFORE_DUE)
    submission = Submission(
        user_id=student.id,
        problem_set=HW5,
        created_at=BEFORE_DUE,
        total=total,
        max_total=100.0,
        late=factor != 1.0,
        score_factor=factor,
        engine_version=provenance.engine_version,
        problem_hash=provenance.problem_hash,
        reference_hash=provenance.reference_hash,
    )
    return repository.add(session, submission)


@pytest.mark.parametrize(
    ("total", "factor", "band"),
    [
        (100.0, 1.0, "full"),
        # Ten tenths sum to just under 1: 100 times that is still full marks.
        (sum([0.1] * 10, 0.0) * 100, 1.0, "full"),
        (100.0 - 1e-7, 1.0, "full"),
        (100.0, 0.5, "some"),
        (99.999, 1.0, "some"),
        (0.5, 1.0, "some"),
        (1e-6, 1.0, "some"),
        (1e-7, 1.0, "none"),
        (0.0, 1.0, "none"),
        (100.0, 0.0, "none"),
    ],
)
def test_each_submission_is_in_exactly_one_band(
    services: Services,
    session: Session,
    people: People,
    total: float,
    factor: float,
    band: ScoreBand,
) -> None:
    submission = stored_with(services, session, people, total=total, factor=factor)
    shown = final_score(total, factor)
    # The band agrees with the score the student is shown.
    assert (shown == 0) == (band == "none")
    assert (shown >= 100.0) == (band == "full")
    kept = {
        other
        for other in BANDS
        if repository.page(session, HW5, user_id=people.alice_id, limit=10, offset=0, score=other)
    }
    assert kept == {band}
    assert submission.id in {
        row.id
        for row in repository.page(
            session, HW5, user_id=people.alice_id, limit=10, offset=0, late=submission.late
        )
    }
