"""Deadlines and the score that counts, as pure functions of a policy and a time."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.errors import SubmissionClosed
from app.problemsets.schema import Policy
from app.submissions.policy import ON_TIME, Lateness, counts_best, final_score, lateness

DUE = datetime(2026, 12, 1, 23, 59, tzinfo=UTC)
BEFORE = DUE - timedelta(seconds=1)
AFTER = DUE + timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("policy", "now", "expected"),
    [
        (Policy(), AFTER, ON_TIME),
        (Policy(due=DUE, late="refuse"), BEFORE, ON_TIME),
        (Policy(due=DUE, late="refuse"), DUE, ON_TIME),
        (Policy(due=DUE, late="accept"), AFTER, Lateness(late=True, factor=1.0)),
        (Policy(due=DUE, late="penalize", late_factor=0.3), AFTER, Lateness(late=True, factor=0.3)),
        (Policy(due=DUE, late="penalize", late_factor=0.0), AFTER, Lateness(late=True, factor=0.0)),
        (Policy(due=DUE, late="penalize"), BEFORE, ON_TIME),
    ],
)
def test_lateness(policy: Policy, now: datetime, expected: Lateness) -> None:
    assert lateness(policy, "hw", now) == expected


def test_a_due_time_in_another_timezone_is_the_same_instant() -> None:
    policy = Policy(due=DUE.astimezone(timezone(timedelta(hours=-8))), late="refuse")
    assert lateness(policy, "hw", BEFORE) == ON_TIME
    with pytest.raises(SubmissionClosed):
        lateness(policy, "hw", AFTER)


def test_refusal_names_the_problem_set_and_the_due_time() -> None:
    with pytest.raises(SubmissionClosed) as refused:
        lateness(Policy(due=DUE, late="refuse"), "eecs182-hw5", AFTER)
    assert refused.value.status == 403
    assert "eecs182-hw5" in refused.value.detail
    assert "2026-12-01T23:59:00+00:00" in refused.value.detail


@pytest.mark.parametrize(("rule", "best"), [("latest", False), ("best", True)])
def test_counts_best(rule: str, best: bool) -> None:
    assert counts_best(Policy.model_validate({"score": rule})) is best


@pytest.mark.parametrize(
    ("total", "factor", "score"),
    [(100.0, 1.0, 100.0), (100.0, 0.25, 25.0), (7.5, 0.0, 0.0), (1 / 3, 0.5, 0.166667)],
)
def test_final_score(total: float, factor: float, score: float) -> None:
    assert final_score(total, factor) == score
