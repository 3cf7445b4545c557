"""Grading one Gradescope submission offline: read it, find whose numbers it is graded with,
grade its text answers and evaluate its model files, and say it all as results.json. Whatever
the submission holds, the answer is a results object (score 0 and what to fix when it cannot be
graded); nothing here raises for a student's files."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from app.checkpoints.offline import LocalEvaluator
from app.errors import DomainError
from app.gradescope import results
from app.gradescope.files import read_bounded
from app.gradescope.metadata import read_submitters, variant_student
from app.gradescope.schemas import GradescopeResults, GradescopeSettings
from app.gradescope.submission import SubmittedWork, read_submission
from app.grading.result import FieldResult
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.grader import SubmissionGrader
from app.untrusted import shown

OpenEvaluator = Callable[[], AbstractContextManager[LocalEvaluator]]
"""Starts the sandboxed evaluation worker, only for a submission that holds model files."""


@dataclass(frozen=True, slots=True)
class SubmissionPaths:
    """Where Gradescope puts the student's files and who they are."""

    directory: Path
    metadata: Path


def grade_submission(
    grader: SubmissionGrader,
    open_evaluator: OpenEvaluator,
    settings: GradescopeSettings,
    submission: SubmissionPaths,
) -> GradescopeResults:
    """The results of the submission; a refusal is results too (score 0, what to fix)."""
    catalog = grader.catalog
    try:
        compiled = catalog.compiled(settings.problem_set)
    except DomainError as exc:
        return results.refused(exc.detail, None, visibility=settings.visibility)
    fields = {field_id: field.is_upload for field_id, field in compiled.fields.items()}
    try:
        work = read_submission(submission.directory, fields)
        student, note = _student(catalog, settings, submission.metadata)
        graded = _graded(grader, open_evaluator, settings.problem_set, work, student)
    except DomainError as exc:
        return results.refused(exc.detail, compiled, visibility=settings.visibility)
    notes = [f"Read from {shown(work.source)}.", *([note] if note else []), *work.notes]
    return results.graded(
        catalog.compiled(settings.problem_set, student),
        graded,
        visibility=settings.visibility,
        notes=notes,
    )


def _student(
    catalog: ProblemCatalog, settings: GradescopeSettings, metadata: Path
) -> tuple[str | None, str | None]:
    """Whose variant grades the work, and a note when that needs saying."""
    definition = catalog.definition(settings.problem_set)
    varies = any(
        parameter.range is not None or parameter.choices is not None
        for parameter in definition.parameters.values()
    )
    if not varies:
        # Every student has the published numbers: who submitted does not matter.
        return None, None
    return variant_student(read_submitters(metadata), settings.variant_key)


def _graded(
    grader: SubmissionGrader,
    open_evaluator: OpenEvaluator,
    problem_set: str,
    work: SubmittedWork,
    student: str | None,
) -> list[FieldResult]:
    """The text answers graded in the sandbox, then each model file evaluated."""
    graded = grader.grade(problem_set, work.answers, student=student).fields
    if not work.models:
        return graded
    with open_evaluator() as evaluator:
        return graded + [_model(evaluator, work, field_id) for field_id in work.models]


def _model(evaluator: LocalEvaluator, work: SubmittedWork, field_id: str) -> FieldResult:
    path = work.models[field_id]
    try:
        data = read_bounded(
            path, max_bytes=evaluator.settings.max_checkpoint_bytes, what="The model file"
        )
    except DomainError as exc:
        return evaluator.refused(field_id, exc.detail)
    return evaluator.grade(work.options[field_id], data, path.name)
