"""Regrades: after a problem file changes, grade every stored answers submission of its problem
set again with the file as now loaded, and report whose counted grade changed.

Only the problem files are read again (`ProblemCatalog.reload`), and a new catalog version is
recorded so that every other process reads its files again too (app/problemsets/following.py);
the reference code (`reference/`) is imported once, so a change to it takes effect when the
service restarts.
Checkpoint submissions are not evaluated again: their rules apply when a model is evaluated.
"""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from pydantic import BaseModel, TypeAdapter
from sqlalchemy.orm import Session

from app.db.engine import on_commit
from app.db.models import FieldGrade, Job, Submission, User, utcnow
from app.errors import UnusableProblemFile
from app.gradebook.counting import CountedScores, counted_field_scores
from app.grading.result import FieldResult, SubmissionResult, Verdict
from app.jobs import service as jobs
from app.jobs.protocol import JobInterrupted, UnitOfWork
from app.jobs.public import accepted
from app.jobs.schemas import JobAccepted
from app.overrides import repository as overrides
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.loader import ProblemFileError
from app.problemsets.schema import ProblemSetDef
from app.problemsets.service import variant_of
from app.regrade import repository
from app.regrade.schemas import (
    REGRADE_JOB,
    BeneathOverride,
    FieldChange,
    RegradeOutcome,
    StudentChange,
)
from app.rules import service as rules
from app.services import Services
from app.submissions.schemas import Provenance
from app.submissions.service import provenance_of

CHUNK = 50
"""Submissions read, graded and rewritten together; each chunk is written in one transaction."""
RETIRED = "This field is no longer part of the problem set, so this answer earns nothing."


class Counted(BaseModel):
    """A student's counted grade as a regrade compares it: the total and each field's score."""

    total: float | None
    fields: dict[str, float]


Snapshot = dict[str, Counted]
"""Student id -> their counted grade."""
SNAPSHOT = TypeAdapter(Snapshot)
NOTHING = Counted(total=None, fields={})


@dataclass(frozen=True, slots=True)
class _Stored:
    """A stored submission's answers, read out of its transaction so that grading holds none."""

    submission_id: str
    student: str | None
    """Whose numbers it was graded with: the student's variant, or None for the published."""
    answers: dict[str, str]


def start_regrade(
    services: Services, session: Session, instructor: User, problem_set: str
) -> JobAccepted:
    """Read the problem files again and queue a regrade of the problem set; a broken file is
    refused (422) with the problem sets unchanged and nothing queued. The grades to compare
    with are taken first, as the grade book shows them under the files held until now."""
    before = _grade_book_now(services, session, problem_set)
    _reload(services.catalog)
    services.catalog_follower.record(session)
    services.catalog.definition(problem_set)
    job = Job(
        kind=REGRADE_JOB,
        user_id=instructor.id,
        problem_set=problem_set,
        field="",
        spec={"problem_set": problem_set, "before": SNAPSHOT.dump_python(before, mode="json")},
    )
    jobs.create(session, job)
    # Queued once the request's transaction commits: its row must be visible to the thread
    # that will run it, and a request that rolls back queues nothing.
    on_commit(session, partial(services.jobs.submit, job.id))
    return accepted(job)


def regrade(
    services: Services,
    units: UnitOfWork,
    problem_set: str,
    *,
    report: Callable[[float], None],
    stopping: Callable[[], bool],
    before: Snapshot | None = None,
) -> RegradeOutcome:
    """Grade every answers submission of the problem set again and report whose counted grade
    changed, compared with `before` (when not given, the grades as they are now, under the
    problem file as loaded now).

    A submission keeps its time, late flag and late factor, and is graded with the numbers it
    was graded with (the student's own, or the published ones); its field grades, total and
    provenance are rewritten, one transaction per chunk. Checkpoint submissions are left as
    they were evaluated. `report` gets the share done. When `stopping()` turns true,
    JobInterrupted is raised between chunks: what was written stays, and running again
    finishes the work (a regrade changes nothing the second time; `changed_submissions` counts
    what this run changed). Work stored while a regrade runs is graded with the new file
    already, and shows in the report if it changes a student's grade.
    """
    if before is None:
        before = snapshot(services, units, problem_set)
    provenance = provenance_of(services, problem_set, utcnow())
    with units() as session:
        count = repository.count_answers(session, problem_set)
    regraded = changed = 0
    beneath: list[BeneathOverride] = []
    with ThreadPoolExecutor(max_workers=services.settings.grading_workers) as pool:
        for chunk in _chunks(units, problem_set, stopping):
            results = list(pool.map(partial(_grade, services, problem_set), chunk))
            with units() as session:
                results = [rules.applied(session, problem_set, result) for result in results]
                rewritten, overridden = _rewrite(session, chunk, results, provenance)
            changed += rewritten
            beneath += overridden
            regraded += len(chunk)
            report(regraded / max(count, regraded))
    definition = services.catalog.definition(problem_set)
    with units() as session:
        after = counted_field_scores(services, session, problem_set)
        students = _changes(definition, before, after)
    return RegradeOutcome(
        problem_set=problem_set,
        engine_version=provenance.engine_version,
        problem_hash=provenance.problem_hash,
        reference_hash=provenance.reference_hash,
        submissions=regraded,
        changed_submissions=changed,
        students=students,
        beneath_overrides=beneath,
    )


def snapshot(services: Services, units: UnitOfWork, problem_set: str) -> Snapshot:
    """Every student's counted grade now."""
    with units() as session:
        return _grade_book_now(services, session, problem_set)


def _grade_book_now(services: Services, session: Session, problem_set: str) -> Snapshot:
    """Every student's counted grade; nobody's for a problem set not loaded (yet)."""
    if problem_set not in services.catalog.ids():
        return {}
    counted = counted_field_scores(services, session, problem_set)
    return {student_id: _compared(entry) for student_id, entry in counted.items()}


def _reload(catalog: ProblemCatalog) -> None:
    try:
        catalog.reload()
    except ProblemFileError as exc:
        # The path of the problem directory on the server says nothing to the instructor.
        reason = str(exc).replace(f"{catalog.directory}/", "")
        raise UnusableProblemFile(
            f"The problem files were not reloaded and nothing was regraded: {reason}"
        ) from None


def _chunks(
    units: UnitOfWork, problem_set: str, stopping: Callable[[], bool]
) -> Iterator[list[_Stored]]:
    """The stored submissions, a chunk at a time, each read in its own short transaction."""
    after: str | None = None
    while True:
        if stopping():
            raise JobInterrupted
        with units() as session:
            page = repository.answers_after(session, problem_set, after=after, limit=CHUNK)
            chunk = [_stored(submission) for submission in page]
        if not chunk:
            return
        yield chunk
        after = chunk[-1].submission_id


def _stored(submission: Submission) -> _Stored:
    student = None if submission.published else variant_of(submission.user)
    answers = {row.field: row.answer for row in submission.fields}
    return _Stored(submission.id, student, answers)


def _grade(services: Services, problem_set: str, stored: _Stored) -> SubmissionResult:
    """Grade the answers whose fields the problem set still has."""
    fields = services.catalog.compiled(problem_set, stored.student).fields
    answers = {field: text for field, text in stored.answers.items() if field in fields}
    return services.grader.grade(problem_set, answers, student=stored.student)


def _rewrite(
    session: Session,
    chunk: list[_Stored],
    results: list[SubmissionResult],
    provenance: Provenance,
) -> tuple[int, list[BeneathOverride]]:
    """Store the new grades of a chunk: how many submissions got a new field score, and the
    overridden fields among them whose automatic grade changed."""
    stored = {row.id: row for row in repository.by_ids(session, [s.submission_id for s in chunk])}
    in_force = overrides.in_force_for(session, stored)
    changed, beneath = 0, []
    for item, result in zip(chunk, results, strict=True):
        submission = stored.get(item.submission_id)
        if submission is None:
            continue
        moved = _apply(submission, result, provenance)
        changed += bool(moved)
        held = in_force.get(submission.id, {})
        beneath += [
            BeneathOverride(
                submission_id=submission.id,
                student_id=submission.user_id,
                name=submission.user.name,
                field=field,
                old=old,
                new=new,
                override=held[field].score,
            )
            for field, (old, new) in moved.items()
            if field in held
        ]
    return changed, beneath


def _apply(
    submission: Submission, result: SubmissionResult, provenance: Provenance
) -> dict[str, tuple[float, float]]:
    """Rewrite one submission's grades; the fields whose score changed, old and new."""
    graded = {field.field: field for field in result.fields}
    old = {row.field: row.score for row in submission.fields}
    for row in submission.fields:
        _set(row, graded.get(row.field) or _retired(row.field))
    submission.total = result.total
    submission.max_total = result.max_total
    submission.engine_version = provenance.engine_version
    submission.problem_hash = provenance.problem_hash
    submission.reference_hash = provenance.reference_hash
    submission.regraded_at = provenance.graded_at
    return {
        row.field: (old[row.field], row.score)
        for row in submission.fields
        if row.score != old[row.field]
    }


def _set(row: FieldGrade, result: FieldResult) -> None:
    row.verdict = result.verdict
    row.score = result.score
    row.max_score = result.max_score
    row.feedback = result.feedback
    row.parsed = result.parsed
    row.note = result.note


def _retired(field: str) -> FieldResult:
    return FieldResult(field=field, verdict=Verdict.INVALID, score=0, max_score=0, feedback=RETIRED)


def _compared(entry: CountedScores) -> Counted:
    return Counted(total=entry.total, fields=entry.fields)


def _changes(
    definition: ProblemSetDef, before: Snapshot, after: dict[str, CountedScores]
) -> list[StudentChange]:
    """The students whose counted total or a counted field score differs, by name then id."""
    order = [field.id for question in definition.questions for field in question.fields]
    changes = []
    for student_id, entry in after.items():
        old, new = before.get(student_id, NOTHING), _compared(entry)
        fields = _field_changes(order, old.fields, new.fields)
        if fields or old.total != new.total:
            changes.append(
                StudentChange(
                    student_id=student_id,
                    name=entry.student.name,
                    login=entry.student.login,
                    old_score=old.total,
                    new_score=new.total,
                    fields=fields,
                )
            )
    return sorted(changes, key=lambda change: (change.name, change.student_id))


def _field_changes(
    order: list[str], old: dict[str, float], new: dict[str, float]
) -> list[FieldChange]:
    """Fields whose counted score differs, in the problem set's order (retired fields last)."""
    retired = sorted((old.keys() | new.keys()) - set(order))
    return [
        FieldChange(field=field, old=old.get(field), new=new.get(field))
        for field in [*order, *retired]
        if old.get(field) != new.get(field)
    ]
