"""Deadlines and which submission counts, from a problem set's policy."""

from dataclasses import dataclass
from datetime import datetime

from app.errors import SubmissionClosed
from app.problemsets.schema import Policy


@dataclass(frozen=True, slots=True)
class Lateness:
    """Whether a submission is late, and the factor its total is multiplied by."""

    late: bool
    factor: float = 1.0


ON_TIME = Lateness(late=False)


def lateness(policy: Policy, problem_set: str, now: datetime) -> Lateness:
    """How a submission made `now` is treated; refused outright when the policy says so."""
    if policy.due is None or now <= policy.due:
        return ON_TIME
    if policy.late == "refuse":
        raise SubmissionClosed(
            f"{problem_set} was due at {policy.due.isoformat()} and accepts no late submissions."
        )
    if policy.late == "penalize":
        return Lateness(late=True, factor=policy.late_factor)
    return Lateness(late=True)


def counts_best(policy: Policy) -> bool:
    """Whether the best submission counts (else the latest)."""
    return policy.score == "best"


def final_score(total: float, factor: float) -> float:
    """The score that counts: the total after any late factor."""
    return round(total * factor, 6)
