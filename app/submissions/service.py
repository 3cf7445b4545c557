"""Grade and store submissions, and read them back to whoever may see them."""

import re
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from app import __version__
from app.db.models import FieldGrade, Role, Submission, User, utcnow
from app.errors import Forbidden, NotFound
from app.grading.result import SubmissionResult
from app.overrides import service as overrides
from app.overrides.schemas import OverrideInForce
from app.problemsets.catalog import reference_hash
from app.problemsets.service import variant_of
from app.rules import service as rules
from app.services import Services
from app.submissions import policy, repository
from app.submissions.policy import Lateness
from app.submissions.repository import ScoreBand
from app.submissions.schemas import (
    FieldGradePublic,
    Provenance,
    SubmissionPage,
    SubmissionPublic,
    SubmissionSummary,
)
from app.untrusted import shown

# PostgreSQL text cannot hold NUL, and no database encodes a lone surrogate: such an answer is
# graded invalid anyway, and is stored with those characters shown as U+FFFD.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def submit(
    services: Services,
    session: Session,
    user: User,
    problem_set: str,
    answers: Mapping[str, str],
    *,
    now: datetime | None = None,
) -> SubmissionPublic:
    """Grade the answers against the user's variant and store the result with its provenance."""
    when = now or utcnow()
    definition = services.catalog.definition(problem_set)
    late = policy.lateness(definition.policy, problem_set, when)
    # No query runs before grading: the request holds no database lock while answers are checked.
    result = services.grader.grade(problem_set, answers, student=variant_of(user))
    result = rules.applied(session, problem_set, result)
    submission = record(
        result, answers, user=user, late=late, provenance=provenance_of(services, problem_set, when)
    )
    return _public(repository.add(session, submission))


def read(session: Session, user: User, submission_id: str) -> SubmissionPublic:
    """A stored submission with the overrides in force; a student's view of anyone else's
    reads exactly like a missing one."""
    submission = repository.by_id(session, submission_id)
    if submission is None or not _may_see(user, submission):
        raise NotFound(f"There is no submission {shown(submission_id)}.")
    in_force = overrides.in_force_for(session, [submission.id])
    return _public(submission, in_force.get(submission.id, {}))


def page(
    services: Services,
    session: Session,
    user: User,
    problem_set: str,
    *,
    student: str | None,
    limit: int,
    offset: int,
    late: bool | None = None,
    score: ScoreBand | None = None,
) -> SubmissionPage:
    """Submissions to a problem set, newest first: a student's own, or anyone's for instructors;
    optionally only late (or on-time) ones, or those in a score band after the late factor."""
    services.catalog.definition(problem_set)
    if user.role != Role.INSTRUCTOR.value:
        if student not in (None, user.id):
            raise Forbidden("Only an instructor may list another student's submissions.")
        student = user.id
    rows = repository.page(
        session,
        problem_set,
        user_id=student,
        limit=limit,
        offset=offset,
        late=late,
        score=score,
    )
    items = [_summary(row) for row in rows]
    return SubmissionPage(items=items, limit=limit, offset=offset)


def provenance_of(services: Services, problem_set: str, when: datetime) -> Provenance:
    """What a grade made at `when` was graded with: engine, problem file, reference code."""
    return Provenance(
        engine_version=__version__,
        problem_hash=services.catalog.file_hash(problem_set),
        reference_hash=reference_hash(),
        graded_at=when,
    )


def record(
    result: SubmissionResult,
    answers: Mapping[str, str],
    *,
    user: User,
    late: Lateness,
    provenance: Provenance,
    batch_key: str | None = None,
    published: bool = False,
) -> Submission:
    """The rows to store for a graded submission (not yet added to a session)."""
    fields = [
        FieldGrade(
            position=position,
            answer=UNSTORABLE.sub("\ufffd", answers[graded.field]),
            **graded.model_dump(),
        )
        for position, graded in enumerate(result.fields)
    ]
    return Submission(
        user_id=user.id,
        problem_set=result.problem_set,
        created_at=provenance.graded_at,
        total=result.total,
        max_total=result.max_total,
        late=late.late,
        score_factor=late.factor,
        engine_version=provenance.engine_version,
        problem_hash=provenance.problem_hash,
        reference_hash=provenance.reference_hash,
        batch_key=batch_key,
        published=published,
        fields=fields,
    )


def _may_see(user: User, submission: Submission) -> bool:
    return user.role == Role.INSTRUCTOR.value or submission.user_id == user.id


def _summary(submission: Submission) -> SubmissionSummary:
    return SubmissionSummary(
        submission_id=submission.id,
        problem_set=submission.problem_set,
        user_id=submission.user_id,
        created_at=submission.created_at,
        late=submission.late,
        score_factor=submission.score_factor,
        total=submission.total,
        max_total=submission.max_total,
        score=policy.final_score(submission.total, submission.score_factor),
    )


def _public(
    submission: Submission, in_force: Mapping[str, OverrideInForce] | None = None
) -> SubmissionPublic:
    overridden = in_force or {}
    fields = [
        FieldGradePublic.model_validate(row, from_attributes=True).model_copy(
            update={"override": overridden.get(row.field)}
        )
        for row in submission.fields
    ]
    provenance = Provenance(
        engine_version=submission.engine_version,
        problem_hash=submission.problem_hash,
        reference_hash=submission.reference_hash,
        graded_at=submission.created_at,
    )
    return SubmissionPublic(
        **_summary(submission).model_dump(), fields=fields, provenance=provenance
    )
