"""Answer rules: made from a common answer, listed, removed, and applied after grading.

Rules live in the database and are read by whichever process grades, each time it grades, so
a new rule reaches every server process at once; a regrade applies them to stored work.
"""

from sqlalchemy.orm import Session

from app.db.models import AnswerRule, User
from app.errors import InvalidRequest, NotFound, UnknownField
from app.grading.result import SubmissionResult, Verdict
from app.rules import repository
from app.rules.apply import Ruling, ruled
from app.rules.export import as_problem_file
from app.rules.schemas import RuleCreate, RulePublic
from app.services import Services
from app.untrusted import shown


def create(
    services: Services, session: Session, user: User, problem_set: str, body: RuleCreate
) -> RulePublic:
    """Store a rule on the form `body.answer` reads as; an unreadable answer is refused."""
    _check(services, problem_set, body)
    result = services.runner.run(problem_set, body.field, None, body.answer)
    if result.verdict is Verdict.INVALID or result.parsed is None:
        raise InvalidRequest(
            f"The answer could not be read, so no rule can match it: {result.feedback}",
            fields=["answer"],
        )
    if repository.matching(session, problem_set, body.field, result.parsed) is not None:
        raise InvalidRequest(
            "A rule on this answer already exists; remove it first.", fields=["answer"]
        )
    rule = AnswerRule(
        problem_set=problem_set,
        field=body.field,
        parsed=result.parsed,
        verdict=body.verdict,
        credit=1.0 if body.verdict == "correct" else body.credit,
        note=body.note,
        feedback=body.feedback,
        created_by=user.id,
    )
    return _public(repository.add(session, rule))


def listed(services: Services, session: Session, problem_set: str) -> list[RulePublic]:
    """The problem set's rules, oldest first."""
    services.catalog.definition(problem_set)
    return [_public(rule) for rule in repository.of_problem_set(session, problem_set)]


def exported(services: Services, session: Session, problem_set: str) -> str:
    """The problem set's rules as problem-file YAML that grades as they do."""
    services.catalog.definition(problem_set)
    return as_problem_file(problem_set, repository.of_problem_set(session, problem_set))


def remove(services: Services, session: Session, problem_set: str, rule_id: str) -> None:
    """Delete a rule; stored grades keep it until the next regrade."""
    services.catalog.definition(problem_set)
    rule = repository.by_id(session, problem_set, rule_id)
    if rule is None:
        raise NotFound(f"There is no rule {shown(rule_id)} in {problem_set}.")
    repository.remove(session, rule)


def applied(session: Session, problem_set: str, result: SubmissionResult) -> SubmissionResult:
    """The graded result with the problem set's rules applied, as stored and shown."""
    return ruled(result, rulings(session, problem_set))


def rulings(session: Session, problem_set: str) -> list[Ruling]:
    """The problem set's rules, as grading applies them."""
    return [
        Ruling(
            field=rule.field,
            parsed=rule.parsed,
            verdict=Verdict(rule.verdict),
            credit=rule.credit,
            feedback=rule.feedback,
            note=rule.note,
        )
        for rule in repository.of_problem_set(session, problem_set)
    ]


def _check(services: Services, problem_set: str, body: RuleCreate) -> None:
    fields = services.catalog.compiled(problem_set, None).fields
    if body.field not in fields:
        raise UnknownField(
            f"Unknown field id {shown(body.field)}. The fields of {problem_set} are: "
            f"{', '.join(fields)}.",
            fields=["field"],
        )
    if body.verdict == "partial" and (body.note is None or body.credit >= 1.0):
        raise InvalidRequest(
            "A named mistake needs a note (its name) and a credit below 1.",
            fields=["note", "credit"],
        )


def _public(rule: AnswerRule) -> RulePublic:
    return RulePublic(
        id=rule.id,
        problem_set=rule.problem_set,
        field=rule.field,
        parsed=rule.parsed,
        verdict=rule.verdict,
        credit=rule.credit,
        note=rule.note,
        feedback=rule.feedback,
        created_by=rule.created_by,
        created_at=rule.created_at,
    )
