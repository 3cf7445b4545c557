"""Grade and store submissions, read them back to whoever may see them, and the grade book."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app import __version__
from app.db.models import FieldGrade, Role, Submission, User, utcnow
from app.errors import Forbidden, NotFound
from app.grading.result import SubmissionResult
from app.problemsets.catalog import reference_hash
from app.problemsets.schema import ProblemSetDef
from app.problemsets.service import variant_of
from app.services import Services
from app.submissions import policy, repository
from app.submissions.policy import Lateness
from app.submissions.repository import ScoreBand
from app.submissions.schemas import (
    FieldGradePublic,
    GradeBook,
    GradePublic,
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
    submission = record(
        result, answers, user=user, late=late, provenance=provenance_of(services, problem_set, when)
    )
    return _public(repository.add(session, submission))


def read(session: Session, user: User, submission_id: str) -> SubmissionPublic:
    """A stored submission; a student's view of anyone else's reads exactly like a missing one."""
    submission = repository.by_id(session, submission_id)
    if submission is None or not _may_see(user, submission):
        raise NotFound(f"There is no submission {shown(submission_id)}.")
    return _public(submission)


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


def grade_book(services: Services, session: Session, problem_set: str) -> GradeBook:
    """Per student, the submission that counts under the problem set's policy."""
    max_total = services.catalog.compiled(problem_set).max_total
    counted = counted_field_scores(services, session, problem_set)
    return GradeBook(
        problem_set=problem_set,
        counts=services.catalog.definition(problem_set).policy.score,
        grades=[counted_grade(entry, max_total) for entry in counted.values()],
    )


@dataclass(frozen=True, slots=True)
class CountedScores:
    """What counts for one student under the problem set's policy: the answers submission that
    counts and, per model-upload field, the evaluated checkpoint that counts; every score is
    after its submission's late factor and rounded to 6 decimals."""

    student: User
    submission: Submission | None
    """The answers submission that counts (with its field grades), if any."""
    checkpoints: dict[str, float]
    """Model-upload field -> the score of the checkpoint that counts."""
    fields: dict[str, float]
    """Field -> its counted score, for every field with counted work; a model-upload field
    counts its checkpoint, never a text answer to it."""
    questions: dict[str, float]
    """Question id -> the sum of its fields' counted scores; empty when nothing counts."""
    total: float | None
    """The sum of the question scores; None when nothing counts."""
    late: bool
    """Whether any counted work was late."""
    submitted_at: datetime | None
    """When the newest counted work was submitted."""


def counted_field_scores(
    services: Services, session: Session, problem_set: str, *, student_id: str | None = None
) -> dict[str, CountedScores]:
    """Student id -> what counts for them, for every student (revoked ones too) or only the
    one given, by name then id: the one computation behind the grade book, its exports,
    statistics, regrades and the student's own pages."""
    definition = services.catalog.definition(problem_set)
    best = policy.counts_best(definition.policy)
    uploads: dict[str, list[repository.CheckpointGrade]] = {}
    checkpoints = repository.counted_checkpoints(
        session, problem_set, best=best, student_id=student_id
    )
    for upload in checkpoints:
        uploads.setdefault(upload.student_id, []).append(upload)
    counting = repository.counting(session, problem_set, best=best, student_id=student_id)
    return {
        student.id: _counted(definition, student, submission, uploads.get(student.id, []))
        for student, submission in counting
    }


def _counted(
    definition: ProblemSetDef,
    student: User,
    submission: Submission | None,
    uploads: list[repository.CheckpointGrade],
) -> CountedScores:
    work = [(upload.late, upload.created_at) for upload in uploads]
    if submission is not None:
        work.append((submission.late, submission.created_at))
    if not work:
        return CountedScores(student, None, {}, {}, {}, None, late=False, submitted_at=None)
    checkpoints = {upload.field: round(upload.score, 6) for upload in uploads}
    # A text answer to a model-upload field scores 0: its checkpoint replaces it.
    fields = {**_text_scores(submission), **checkpoints}
    questions = {
        question.id: round(sum(fields.get(field.id, 0.0) for field in question.fields), 6)
        for question in definition.questions
    }
    return CountedScores(
        student,
        submission,
        checkpoints,
        fields,
        questions,
        total=round(sum(questions.values()), 6),
        late=any(late for late, _ in work),
        submitted_at=max(when for _, when in work),
    )


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


def _public(submission: Submission) -> SubmissionPublic:
    fields = [
        FieldGradePublic.model_validate(row, from_attributes=True) for row in submission.fields
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


def _text_scores(submission: Submission | None) -> dict[str, float]:
    """Field -> score after the late factor, of an answers submission."""
    if submission is None:
        return {}
    factor = submission.score_factor
    return {row.field: round(row.score * factor, 6) for row in submission.fields}


def counted_grade(entry: CountedScores, max_total: float) -> GradePublic:
    """A student's grade-book entry: their counted score after late factors, or none."""
    student, submission, checkpoints = entry.student, entry.submission, entry.checkpoints
    # Text answers to model-upload fields score 0, so adding the checkpoints counts none twice.
    uploads = round(sum(checkpoints.values()), 6)
    if submission is None:
        if not checkpoints:
            return GradePublic(student_id=student.id, name=student.name)
        return GradePublic(
            student_id=student.id,
            name=student.name,
            score=uploads,
            checkpoints=checkpoints,
            max_total=max_total,
        )
    return GradePublic(
        student_id=student.id,
        name=student.name,
        submission_id=submission.id,
        score=round(policy.final_score(submission.total, submission.score_factor) + uploads, 6),
        checkpoints=checkpoints,
        max_total=submission.max_total,
        late=submission.late,
        created_at=submission.created_at,
    )
