"""Regrade requests: a student opens one on a field of the submission that counts for them;
an instructor answers it with an override (through app/overrides, which keeps the override's
own history) or with no change and a reply. Answered requests are closed and kept."""

from sqlalchemy.orm import Session

from app.db.models import (
    FieldGrade,
    RegradeRequest,
    RegradeRequestStatus,
    Role,
    Submission,
    User,
    utcnow,
)
from app.errors import Conflict, Forbidden, InvalidRequest, NotFound, UnknownField
from app.gradebook.counting import counted_field_scores
from app.overrides import service as overrides
from app.overrides.schemas import OverrideCreate
from app.regrade_requests import repository
from app.regrade_requests.repository import Filters
from app.regrade_requests.schemas import (
    GradeShown,
    OverrideAnswer,
    RegradeAnswer,
    RegradeOutcome,
    RegradeRequestCreate,
    RegradeRequestList,
    RegradeRequestPublic,
    SubmissionRequests,
)
from app.services import Services
from app.submissions import repository as submissions
from app.untrusted import shown

RATE_SCOPE = "regrade-requests"
"""The rate-limit scope requests are counted in (settings.regrade_request_rate_limit)."""
MAX_LISTED = 500


def open_request(
    services: Services,
    session: Session,
    student: User,
    submission_id: str,
    body: RegradeRequestCreate,
) -> RegradeRequestPublic:
    """Open a request on one field of the caller's counted submission."""
    if student.role != Role.STUDENT.value:
        raise Forbidden(
            "Only the submission's student can ask for a regrade; an instructor sets an override."
        )
    submission = submissions.by_id(session, submission_id)
    if submission is None or submission.user_id != student.id:
        raise NotFound(f"There is no submission {shown(submission_id)}.")
    _check_message(services, body.message)
    _field(submission, body.field)
    _check_counts(services, session, submission)
    request = RegradeRequest(
        submission_id=submission.id,
        user_id=student.id,
        problem_set=submission.problem_set,
        field=body.field,
        message=body.message,
        status=RegradeRequestStatus.OPEN.value,
    )
    already = repository.open_one(session, student.id, submission.problem_set, body.field)
    if already is not None or not repository.add(session, request):
        raise Conflict(
            f"You already have an open regrade request on {shown(body.field)}; "
            "it will be answered before you can open another.",
            fields=["field"],
        )
    return _shown(session, request.id)


def listed(session: Session, user: User, filters: Filters, *, limit: int) -> RegradeRequestList:
    """Requests matching the filters, oldest first; a student's list holds only their own."""
    if user.role != Role.INSTRUCTOR.value:
        filters = filters._replace(student_id=user.id)
    found = repository.listed(session, filters, limit=min(limit, MAX_LISTED))
    return RegradeRequestList(items=[public(request) for request in found])


def on_submission(
    services: Services, session: Session, user: User, submission_id: str
) -> SubmissionRequests:
    """The requests on a submission its viewer may see, by field, and whether they may open
    more (the submission's student, on the submission that counts)."""
    submission = submissions.by_id(session, submission_id)
    own = submission is not None and submission.user_id == user.id
    if submission is None or not (own or user.role == Role.INSTRUCTOR.value):
        raise NotFound(f"There is no submission {shown(submission_id)}.")
    found = repository.listed(session, Filters(submission_id=submission.id), limit=MAX_LISTED)
    by_field: dict[str, list[RegradeRequestPublic]] = {}
    for request in found:
        by_field.setdefault(request.field, []).append(public(request))
    may_open = own and user.role == Role.STUDENT.value and _counts(services, session, submission)
    return SubmissionRequests(may_open=may_open, by_field=by_field)


def one(session: Session, user: User, request_id: str) -> RegradeRequestPublic:
    """One request: any for an instructor, only their own for a student."""
    request = repository.by_id(session, request_id)
    if request is None or not _may_see(user, request):
        raise NotFound(f"There is no regrade request {shown(request_id)}.")
    return public(request)


def answer(
    session: Session, instructor: User, request_id: str, body: RegradeAnswer
) -> RegradeRequestPublic:
    """Close an open request with an override or with no change and a reply."""
    request = repository.by_id(session, request_id, for_update=True)
    if request is None:
        raise NotFound(f"There is no regrade request {shown(request_id)}.")
    if request.status != RegradeRequestStatus.OPEN.value:
        raise Conflict("This regrade request is already answered; its answer stands.")
    if isinstance(body, OverrideAnswer):
        override = OverrideCreate(score=body.score, verdict=body.verdict, comment=body.comment)
        placed = overrides.set_override(
            session, instructor, request.submission_id, request.field, override
        )
        request.override_id, request.reply = placed.id, body.comment
    else:
        request.reply = body.reply
    request.outcome = body.outcome
    request.status = RegradeRequestStatus.CLOSED.value
    request.answered_by, request.answered_at = instructor.id, utcnow()
    session.flush()
    return _shown(session, request.id)


def public(request: RegradeRequest) -> RegradeRequestPublic:
    """A request as the API shows it."""
    override = request.override
    return RegradeRequestPublic(
        id=request.id,
        submission_id=request.submission_id,
        student_id=request.user_id,
        student_name=request.student.name,
        problem_set=request.problem_set,
        field=request.field,
        message=request.message,
        status=RegradeRequestStatus(request.status),
        opened_at=request.opened_at,
        grade=_grade(request.submission, request.field),
        outcome=None if request.outcome is None else RegradeOutcome(request.outcome),
        reply=request.reply,
        override_id=request.override_id,
        override_score=None if override is None else override.score,
        override_verdict=None if override is None else override.verdict,
        answered_by=request.answered_by,
        answered_at=request.answered_at,
    )


def _shown(session: Session, request_id: str) -> RegradeRequestPublic:
    session.expire_all()
    request = repository.by_id(session, request_id)
    assert request is not None  # stored in this transaction
    return public(request)


def _check_message(services: Services, message: str) -> None:
    limit = services.settings.max_regrade_message_chars
    if len(message) > limit:
        raise InvalidRequest(
            f"The message has {len(message):,} characters; at most {limit:,} are kept. "
            "Say what should be looked at again more briefly.",
            fields=["message"],
        )


def _field(submission: Submission, field: str) -> FieldGrade:
    for row in submission.fields:
        if row.field == field:
            return row
    raise UnknownField(
        f"This submission has no answer to {shown(field)}; only answered fields can be regraded.",
        fields=["field"],
    )


def _counting(services: Services, session: Session, submission: Submission) -> str | None:
    """The id of the submission that counts for the submission's student, if any."""
    student = submission.user_id
    counted = counted_field_scores(
        services, session, submission.problem_set, student_id=student
    ).get(student)
    return None if counted is None or counted.submission is None else counted.submission.id


def _counts(services: Services, session: Session, submission: Submission) -> bool:
    return _counting(services, session, submission) == submission.id


def _check_counts(services: Services, session: Session, submission: Submission) -> None:
    counting = _counting(services, session, submission)
    if counting != submission.id:
        which = "" if counting is None else f" ({counting})"
        raise InvalidRequest(
            "This submission does not count for your grade, so a regrade would change nothing; "
            f"ask about the submission that counts{which}.",
            fields=["submission_id"],
        )


def _grade(submission: Submission, field: str) -> GradeShown | None:
    for row in submission.fields:
        if row.field == field:
            return GradeShown(
                answer=row.answer,
                verdict=row.verdict,
                score=row.score,
                max_score=row.max_score,
                feedback=row.feedback,
            )
    return None


def _may_see(user: User, request: RegradeRequest) -> bool:
    return user.role == Role.INSTRUCTOR.value or request.user_id == user.id
