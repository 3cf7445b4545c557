"""Every query on answer rules."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AnswerRule


def of_problem_set(session: Session, problem_set: str) -> Sequence[AnswerRule]:
    """The problem set's rules, oldest first."""
    query = (
        select(AnswerRule)
        .where(AnswerRule.problem_set == problem_set)
        .order_by(AnswerRule.created_at, AnswerRule.id)
    )
    return session.scalars(query).all()


def matching(session: Session, problem_set: str, field: str, parsed: str) -> AnswerRule | None:
    """The rule on this answer form of this field, if there is one."""
    query = select(AnswerRule).where(
        AnswerRule.problem_set == problem_set,
        AnswerRule.field == field,
        AnswerRule.parsed == parsed,
    )
    return session.scalars(query).first()


def by_id(session: Session, problem_set: str, rule_id: str) -> AnswerRule | None:
    """One rule of the problem set."""
    rule = session.get(AnswerRule, rule_id)
    return rule if rule is not None and rule.problem_set == problem_set else None


def add(session: Session, rule: AnswerRule) -> AnswerRule:
    """Store a new rule."""
    session.add(rule)
    session.flush()
    return rule


def remove(session: Session, rule: AnswerRule) -> None:
    """Delete a rule."""
    session.delete(rule)
    session.flush()
