"""Answer statistics of a problem set over the work of each student that counts: verdict shares,
mean scores, the most common wrong answers with their notes, and score and accuracy spreads."""

import statistics
from collections import Counter
from collections.abc import Collection, Iterable, Sequence

from sqlalchemy.orm import Session

from app.checkpoints import copies
from app.db.models import FieldGrade, JobStatus
from app.gradebook.counting import CountedScores, counted_field_scores, counted_grade
from app.grading.field import GradableField
from app.grading.result import Verdict
from app.services import Services
from app.stats import repository
from app.stats.distribution import distribution
from app.stats.repository import CheckpointUpload
from app.stats.schemas import CheckpointStats, FieldStats, ProblemSetStats, WrongAnswer
from app.submissions import policy
from app.submissions import repository as submissions_repository

WRONG = frozenset({Verdict.INCORRECT, Verdict.PARTIAL, Verdict.INVALID})
MAX_WRONG_GROUPS = 5
MAX_ANSWER_CHARS = 200
ELLIPSIS = "\u2026"

GroupKey = tuple[str, Verdict, str | None, str]


def compute(services: Services, session: Session, problem_set: str) -> ProblemSetStats:
    """The statistics of a problem set, over the submission of each student that counts."""
    definition = services.catalog.definition(problem_set)
    compiled = services.catalog.compiled(problem_set)
    counted = counted_field_scores(services, session, problem_set)
    grades = {
        student: counted_grade(entry, compiled.max_total) for student, entry in counted.items()
    }
    scores = [grade.score for grade in grades.values() if grade.score is not None]
    students = {student for student, grade in grades.items() if grade.score is not None}
    # The answers submissions that count come with their field grades already loaded.
    texts = sorted(
        (entry.submission for entry in counted.values() if entry.submission is not None),
        key=lambda submission: submission.id,
    )
    answers = _by_field(grade for submission in texts for grade in submission.fields)
    best = policy.counts_best(definition.policy)
    uploads = _counted_uploads(session, problem_set, best=best, students=students)
    uploaded = _by_field(upload.grade for upload in uploads)
    overridden = _overridden(counted.values())
    return ProblemSetStats(
        problem_set=problem_set,
        title=definition.title,
        counts=definition.policy.score,
        students=len(students),
        max_total=compiled.max_total,
        totals=distribution(scores, upper=compiled.max_total),
        fields=[
            # Text answers to a model-upload field score nothing; its uploads are its answers.
            _field_stats(
                field,
                (uploaded if field.is_upload else answers).get(field.id, []),
                overridden=overridden[field.id],
            )
            for field in compiled.fields.values()
        ],
        checkpoints=[
            _checkpoint_stats(field.id, uploads)
            for field in compiled.fields.values()
            if field.is_upload
        ],
        copies=copies.of_problem_set(session, problem_set),
    )


def _by_field(grades: Iterable[FieldGrade]) -> dict[str, list[FieldGrade]]:
    grouped: dict[str, list[FieldGrade]] = {}
    for grade in grades:
        grouped.setdefault(grade.field, []).append(grade)
    return grouped


def _overridden(counted: Iterable[CountedScores]) -> Counter[str]:
    """Field -> how many counted submissions have it overridden; a field whose counted
    checkpoint replaces the text answer counts the checkpoint, not the override."""
    return Counter(
        field for entry in counted for field in entry.overridden if field not in entry.checkpoints
    )


def _counted_uploads(
    session: Session, problem_set: str, *, best: bool, students: Collection[str]
) -> list[CheckpointUpload]:
    """The evaluated checkpoint that counts, per student and model-upload field."""
    counting = {
        grade.submission_id
        for grade in submissions_repository.counted_checkpoints(session, problem_set, best=best)
        if grade.student_id in students
    }
    return [
        upload
        for upload in repository.checkpoint_uploads(session, problem_set)
        if upload.submission_id in counting
    ]


def _field_stats(
    field: GradableField, grades: Sequence[FieldGrade], *, overridden: int
) -> FieldStats:
    """How the counted answers to one field fared."""
    verdicts = Counter(Verdict(grade.verdict) for grade in grades)
    answered = len(grades)
    return FieldStats(
        field=field.id,
        max_score=field.max_score,
        answered=answered,
        shares={verdict: verdicts[verdict] / answered if answered else 0.0 for verdict in Verdict},
        mean_score=statistics.fmean(grade.score for grade in grades) if grades else None,
        common_wrong=_common_wrong(grades),
        overridden=overridden,
    )


def _common_wrong(grades: Iterable[FieldGrade]) -> list[WrongAnswer]:
    """The largest groups of wrong answers that read the same, most common first."""
    groups = Counter(
        (_normalized(grade), Verdict(grade.verdict), grade.note, grade.feedback)
        for grade in grades
        if Verdict(grade.verdict) in WRONG
    )
    ranked = sorted(groups.items(), key=_rank)[:MAX_WRONG_GROUPS]
    return [
        WrongAnswer(answer=answer, verdict=verdict, note=note, feedback=feedback, count=count)
        for (answer, verdict, note, feedback), count in ranked
    ]


def _rank(group: tuple[GroupKey, int]) -> tuple[int, str, str, bool, str, str]:
    # Ties go by the answer, then the rest of the key, so the same rows give the same list.
    (answer, verdict, note, feedback), count = group
    return -count, answer, verdict.value, note is not None, note or "", feedback


def _normalized(grade: FieldGrade) -> str:
    """How the answer was understood (LaTeX), else its text with whitespace collapsed; capped."""
    text = grade.parsed or " ".join(grade.answer.split())
    if len(text) <= MAX_ANSWER_CHARS:
        return text
    return text[: MAX_ANSWER_CHARS - 1] + ELLIPSIS


def _checkpoint_stats(field: str, uploads: Iterable[CheckpointUpload]) -> CheckpointStats:
    """The spread of the measured test accuracies of one field's counted uploads."""
    accuracies = [
        accuracy
        for upload in uploads
        if upload.grade.field == field and (accuracy := _accuracy(upload)) is not None
    ]
    return CheckpointStats(field=field, accuracy=distribution(accuracies, upper=1.0))


def _accuracy(upload: CheckpointUpload) -> float | None:
    """The test accuracy the upload's finished job measured, if the result holds a sound one."""
    result = upload.job_result
    if upload.job_status != JobStatus.DONE.value or not isinstance(result, dict):
        return None
    test = result.get("test")
    value = test.get("accuracy") if isinstance(test, dict) else None
    # Stored JSON is read defensively: only a fraction in [0, 1] is an accuracy (NaN is not).
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        return None
    return float(value)
