"""What counts for one student, read alone, on SQLite and PostgreSQL: under the latest and the
best policies, with late work and checkpoints, it is the whole class's entry for that student
and holds nobody else."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from app.checkpoints.schemas import CHECKPOINT_JOB
from app.db.models import FieldGrade, Job, Role, Submission, User
from app.gradebook import counting
from app.services import Services
from app.submissions import repository, service
from app.users.service import issue
from tests.conftest import People
from tests.submissions.conftest import HW5, LATE_FACTOR, published_answers

BEFORE_DUE = datetime(1999, 12, 31, tzinfo=UTC)
AFTER_DUE = datetime(2000, 1, 2, tzinfo=UTC)
UPLOAD_FIELD = "q3.a"
# One student's attempts: (fields answered from the published answers, submitted late).
ATTEMPTS = [
    [(("q1.b", "q3.a"), False), (("q1.b", "q1.c", "q2.b.grad", "q3.a"), True), (("q1.b",), False)],
    [(("q1.c",), True), (("q1.b", "q1.c", "q3.a"), False)],
    [(("q2.b.grad", "q3.a", "q1.b"), False), (("q1.c",), False), (("q1.b", "q1.c"), True)],
]
# One student's checkpoints: (score, late).
UPLOADS = [[(9.0, False), (11.0, True)], [], [(4.0, True), (3.0, False)]]
PROBLEM_SETS = ["hw5-late-penalize", "hw5-best-penalize"]


def student(session: Session, name: str) -> User:
    return issue(session, name=name, role=Role.STUDENT).user


def record_checkpoint(
    session: Session, user: User, problem_set: str, score: float, at: datetime, *, late: bool
) -> None:
    """An evaluated checkpoint as its job records it: a submission the job points at."""
    grade = FieldGrade(
        position=0,
        field=UPLOAD_FIELD,
        answer="checkpoint",
        verdict="partial",
        score=score,
        max_score=12.5,
        feedback="measured",
    )
    submission = Submission(
        user_id=user.id,
        problem_set=problem_set,
        total=score,
        max_total=100,
        late=late,
        score_factor=LATE_FACTOR if late else 1.0,
        engine_version="test",
        problem_hash="test",
        reference_hash="test",
        created_at=at,
        fields=[grade],
    )
    session.add(submission)
    session.flush()
    job = Job(kind=CHECKPOINT_JOB, user_id=user.id, problem_set=problem_set, field="q3.a", spec={})
    job.status, job.submission_id = "done", submission.id
    session.add(job)
    session.flush()


def class_work(
    services: Services, session: Session, students: list[User], problem_set: str
) -> None:
    """Several attempts per student, on time and late, with checkpoints, at distinct times."""
    published = published_answers(HW5)
    for index, (user, attempts, uploads) in enumerate(
        zip(students, ATTEMPTS, UPLOADS, strict=False)
    ):
        for step, (fields, late) in enumerate(attempts):
            at = (AFTER_DUE if late else BEFORE_DUE) + timedelta(minutes=10 * index + step)
            answers = {field: published[field] for field in fields}
            service.submit(services, session, user, problem_set, answers, now=at)
        for step, (score, late) in enumerate(uploads):
            at = (AFTER_DUE if late else BEFORE_DUE) + timedelta(minutes=10 * index + 5 + step)
            record_checkpoint(session, user, problem_set, score, at, late=late)
    session.commit()


@pytest.mark.parametrize("problem_set", PROBLEM_SETS)
def test_one_student_alone_is_their_whole_class_entry(
    policy_services: Services, session: Session, people: People, problem_set: str
) -> None:
    students = [student(session, "carol"), student(session, "dave"), student(session, "erin")]
    idle = student(session, "frank")
    class_work(policy_services, session, students, problem_set)
    whole = counting.counted_field_scores(policy_services, session, problem_set)
    assert {user.id for user in [*students, idle]} <= whole.keys()
    for user in [*students, idle]:
        alone = counting.counted_field_scores(
            policy_services, session, problem_set, student_id=user.id
        )
        assert alone == {user.id: whole[user.id]}
    assert len({whole[user.id].total for user in students}) == len(students)


@pytest.mark.parametrize("best", [False, True])
def test_the_queries_read_only_the_student_given(
    policy_services: Services, session: Session, people: People, best: bool
) -> None:
    problem_set = "hw5-late-penalize"
    students = [student(session, "carol"), student(session, "dave"), student(session, "erin")]
    class_work(policy_services, session, students, problem_set)
    rows = repository.counting(session, problem_set, best=best)
    uploads = repository.counted_checkpoints(session, problem_set, best=best)
    for user in students:
        mine = repository.counting(session, problem_set, best=best, student_id=user.id)
        assert list(mine) == [row for row in rows if row[0].id == user.id]
        checkpoints = repository.counted_checkpoints(
            session, problem_set, best=best, student_id=user.id
        )
        assert list(checkpoints) == [row for row in uploads if row.student_id == user.id]


def test_nobody_counts_for_an_instructor_or_an_unknown_id(
    policy_services: Services, session: Session, people: People
) -> None:
    class_work(policy_services, session, [student(session, "carol")], HW5)
    for user_id in ["no-such-user", instructor(session)]:
        assert (
            counting.counted_field_scores(policy_services, session, HW5, student_id=user_id) == {}
        )


def instructor(session: Session) -> str:
    return issue(session, name="teacher", role=Role.INSTRUCTOR).user.id
