"""Which work counts for each student under a problem set's policy: the one computation behind
the grade book, its exports, statistics, regrades and the student's own pages."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.db.models import Override, Submission, User
from app.gradebook.schemas import CountedGrades, GradePublic
from app.overrides import repository as overrides
from app.problemsets.schema import ProblemSetDef
from app.services import Services
from app.submissions import policy, repository


def counted_grades(services: Services, session: Session, problem_set: str) -> CountedGrades:
    """Per student, the submission that counts under the problem set's policy."""
    max_total = services.catalog.compiled(problem_set).max_total
    counted = counted_field_scores(services, session, problem_set)
    return CountedGrades(
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
    overridden: tuple[str, ...] = ()
    """The fields of the counted submission whose score an instructor's override sets."""
    answers: float | None = None
    """The counted answers submission's score after its late factor, overrides counted."""


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
    ids = (submission.id for _, submission in counting if submission is not None)
    in_force = overrides.in_force_for(session, ids)
    return {
        student.id: _counted(
            definition,
            student,
            submission,
            uploads.get(student.id, []),
            in_force.get(submission.id, {}) if submission is not None else {},
        )
        for student, submission in counting
    }


def _counted(
    definition: ProblemSetDef,
    student: User,
    submission: Submission | None,
    uploads: list[repository.CheckpointGrade],
    in_force: dict[str, Override],
) -> CountedScores:
    work = [(upload.late, upload.created_at) for upload in uploads]
    if submission is not None:
        work.append((submission.late, submission.created_at))
    if not work:
        return CountedScores(student, None, {}, {}, {}, None, late=False, submitted_at=None)
    checkpoints = {upload.field: round(upload.score, 6) for upload in uploads}
    # A text answer to a model-upload field scores 0: its checkpoint replaces it.
    text = _text_scores(submission, in_force)
    fields = {**text, **checkpoints}
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
        overridden=tuple(field for field in text if field in in_force),
        answers=None if submission is None else round(sum(text.values()), 6),
    )


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
        score=round(_answers_score(entry, submission) + uploads, 6),
        checkpoints=checkpoints,
        max_total=submission.max_total,
        late=submission.late,
        created_at=submission.created_at,
    )


def _answers_score(entry: CountedScores, submission: Submission) -> float:
    """The answers submission's score after its late factor, overrides counted."""
    if entry.answers is not None and entry.overridden:
        return entry.answers
    return policy.final_score(submission.total, submission.score_factor)


def _text_scores(submission: Submission | None, in_force: dict[str, Override]) -> dict[str, float]:
    """Field -> score after the late factor, of an answers submission; an override in force
    stands in for its field's automatic score."""
    if submission is None:
        return {}
    factor = submission.score_factor
    return {
        row.field: round(_score(row.field, row.score, in_force) * factor, 6)
        for row in submission.fields
    }


def _score(field: str, automatic: float, in_force: dict[str, Override]) -> float:
    override = in_force.get(field)
    return automatic if override is None else override.score
