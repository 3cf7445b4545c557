"""What the student pages show, from the same services the API calls; no SQL, no grading."""

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from app.db.models import Role, User, utcnow
from app.errors import UnknownProblemSet
from app.gradebook import counting
from app.problemsets import service as problem_sets
from app.problemsets.schemas import FieldPublic, PolicyPublic, ProblemSetPublic
from app.services import Services
from app.submissions import service as submissions
from app.submissions.schemas import SubmissionSummary
from app.users import service as users
from app.users.schemas import StudentPublic
from app.web.schemas import FieldOutcome, SetPage, SetRow, SubmissionView

MAX_ATTEMPTS = 50
# Checkpoint records interleave with answer submissions; the latest answers are among these.
LOOK_BACK = 5
UPLOAD = "checkpoint"


def set_rows(services: Services, session: Session, user: User) -> list[SetRow]:
    """Every problem set with its due time and the user's counted score."""
    now = utcnow()
    return [
        SetRow(
            summary=summary,
            score=counted_score(services, session, user, summary.id),
            past_due=past_due(summary.policy, now),
        )
        for summary in problem_sets.list_problem_sets(services.catalog)
    ]


def set_page(
    services: Services,
    session: Session,
    user: User,
    problem_set: str,
    *,
    typed: Mapping[str, str] | None = None,
) -> SetPage:
    """A problem set with the user's numbers; the boxes hold `typed`, else the latest answers."""
    view = problem_sets.problem_set_view(services.catalog, problem_set, user)
    attempts = submissions.page(
        services, session, user, problem_set, student=None, limit=MAX_ATTEMPTS, offset=0
    ).items
    answers = dict(typed) if typed is not None else latest_answers(session, user, attempts, view)
    return SetPage(
        problem_set=view,
        score=counted_score(services, session, user, problem_set),
        past_due=past_due(view.policy, utcnow()),
        answers=answers,
        attempts=attempts,
    )


def submission_view(
    services: Services, session: Session, user: User, submission_id: str
) -> SubmissionView:
    """A stored submission (the user's own, or any for an instructor) with its prompts."""
    submission = submissions.read(session, user, submission_id)
    prompts, title = _fields_of(services, submission.problem_set, user)
    outcomes = [
        FieldOutcome(
            grade=grade,
            prompt=prompts[grade.field].prompt if grade.field in prompts else None,
            upload=grade.field in prompts and prompts[grade.field].answer.type == UPLOAD,
            override=grade.override,
        )
        for grade in submission.fields
    ]
    student = owner_of(session, user, submission.user_id)
    return SubmissionView(submission=submission, title=title, fields=outcomes, student=student)


def owner_of(session: Session, user: User, owner_id: str) -> StudentPublic | None:
    """The student whose work an instructor is looking at; None for a student's own view (or
    an instructor's own work)."""
    if user.role != Role.INSTRUCTOR.value:
        return None
    owners = (student for student in users.list_students(session) if student.id == owner_id)
    return next((StudentPublic.of(owner) for owner in owners), None)


def counted_score(
    services: Services, session: Session, user: User, problem_set: str
) -> float | None:
    """What counts for a student under the problem set's policy; None for an instructor."""
    if user.role != Role.STUDENT.value:
        return None
    counted = counted_work(services, session, user, problem_set)
    return None if counted is None else counted.total


def counted_work(
    services: Services, session: Session, student: User, problem_set: str
) -> counting.CountedScores | None:
    """What counts for a student under the problem set's policy, as the grade book counts it."""
    # The grade book's own computation, so the page and the grade book never disagree.
    scores = counting.counted_field_scores(services, session, problem_set, student_id=student.id)
    return scores.get(student.id)


def past_due(policy: PolicyPublic, now: datetime) -> bool:
    """Whether the due time has passed."""
    return policy.due is not None and now > policy.due


def latest_answers(
    session: Session, user: User, attempts: Sequence[SubmissionSummary], view: ProblemSetPublic
) -> dict[str, str]:
    """The typed answers of the latest submission that has any (uploads are not typed)."""
    typed = {field.id for field in _all_fields(view) if field.answer.type != UPLOAD}
    for attempt in attempts[:LOOK_BACK]:
        stored = submissions.read(session, user, attempt.submission_id)
        answers = {row.field: row.answer for row in stored.fields if row.field in typed}
        if answers:
            return answers
    return {}


def _all_fields(view: ProblemSetPublic) -> list[FieldPublic]:
    return [field for question in view.questions for field in question.fields]


def _fields_of(
    services: Services, problem_set: str, user: User
) -> tuple[dict[str, FieldPublic], str]:
    """The fields of a problem set by id, and its title; none for one no longer served."""
    try:
        view = problem_sets.problem_set_view(services.catalog, problem_set, user)
    except UnknownProblemSet:
        return {}, problem_set
    return {field.id: field for field in _all_fields(view)}, view.title
