"""Regrades through HTTP, on SQLite and PostgreSQL, with sandboxed grading workers: after a
problem file changes, the job reports exactly the students whose answers the change affects
(found here by grading their stored answers with a fresh catalog on the changed files), with
their old and new scores; the stored grades and provenance change; a second regrade reports
nobody; a broken file is refused and changes nothing; students may not regrade."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app import __version__
from app.checkpoints.schemas import CHECKPOINT_JOB
from app.db.models import FieldGrade, Job, Role, Submission, User, utcnow
from app.jobs import service as jobs_service
from app.jobs.memory import MemoryBackend
from app.problemsets.catalog import ProblemCatalog, reference_hash
from app.problemsets.grader import SubmissionGrader
from app.problemsets.runner import InProcessRunner
from app.regrade import service as regrade_service
from app.regrade.service import RETIRED
from app.services import Services
from app.submissions import service as submissions
from app.submissions.policy import ON_TIME
from app.users.service import issue, revoke_student
from tests.conftest import CountRows, People
from tests.jobs.conftest import units_in

API = "/api/v1"
DL_EX1 = "dl-ex1"
STUDENTS = 20


# -- changes to dl-ex1.yaml --------------------------------------------------------------------


def replace_once(original: str, replacement: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert original in text
        return text.replace(original, replacement, 1)

    return change


def without_q2_total(text: str) -> str:
    start = text.index("      - id: q2.total\n")
    return text[:start] + text[text.index("  - id: q3\n") :]


CHANGES = {
    # The first credit in the file is that of the transposed W_h.
    "more partial credit": replace_once("            credit: 0.5\n", "            credit: 0.75\n"),
    "credit for a known mistake": replace_once(
        "- &biases_forgotten\n            name: biases forgotten\n",
        "- &biases_forgotten\n            name: biases forgotten\n            credit: 0.5\n",
    ),
    "looser tolerance": replace_once(
        "answer: {type: number}", "answer: {type: number, rtol: 0.01}"
    ),
    "more points": replace_once(
        "title: Parameters of a convolutional network\n    points: 12.5",
        "title: Parameters of a convolutional network\n    points: 15",
    ),
    "a field removed": without_q2_total,
}


def change_file(directory: Path, change: Callable[[str], str]) -> None:
    path = directory / f"{DL_EX1}.yaml"
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


# -- a class with a mix of answers -------------------------------------------------------------


def answers_for(catalog: ProblemCatalog, student: str | None, k: int) -> dict[str, str]:
    """Right answers, known mistakes, near misses and wrong ones, by the student's number k."""
    numbers = catalog.compiled(DL_EX1, student).parameters
    n_in, n_hidden, kernel = numbers["n_in"], numbers["n_hidden"], numbers["kernel"]
    maps = numbers["feature_maps"]
    area = kernel * kernel
    layers = [
        (area * 3 + 1) * maps[0],
        (area * maps[0] + 1) * maps[1],
        (area * maps[1] + 1) * maps[2],
    ]
    answers = {
        "q1.a": f"m x {n_in}",
        "q1.b.W_h": [f"{n_in} x {n_hidden}", f"{n_hidden} x {n_in}", "3 x 3"][k % 3],
        "q2.layer1": str([layers[0], area * 3 * maps[0], round(layers[0] * 1.005), 1][k % 4]),
        "q2.layer2": str([layers[1], area * maps[0] * maps[1]][k % 2]),
        "q3.a": r"\sum_{j=1}^{m} \frac{\partial f}{\partial y_j} \hat{x}_j",
    }
    if k % 5:
        answers["q2.total"] = str(sum(layers))
    return answers


def submit(client: TestClient, token: str, answers: dict[str, str]) -> None:
    response = client.post(
        f"{API}/problem-sets/{DL_EX1}/submissions",
        json={"answers": answers},
        headers=People.auth(token),
    )
    assert response.status_code == 201, response.text


def store_published(services: Services, session: Session, user: User, k: int) -> None:
    """Work on the published numbers, stored as an import of it would be."""
    answers = answers_for(services.catalog, None, k)
    result = services.grader.grade(DL_EX1, answers, student=None)
    provenance = submissions.provenance_of(services, DL_EX1, utcnow())
    row = submissions.record(
        result, answers, user=user, late=ON_TIME, provenance=provenance, published=True
    )
    session.add(row)
    session.commit()


def store_checkpoint(session: Session, user_id: str) -> str:
    """An evaluated checkpoint as its job records it; a regrade leaves it alone."""
    submission = Submission(
        user_id=user_id,
        problem_set=DL_EX1,
        total=10.0,
        max_total=100,
        engine_version="evaluated",
        problem_hash="evaluated",
        reference_hash="evaluated",
        fields=[
            FieldGrade(
                position=0,
                field="q4.baseline",
                answer="checkpoint",
                verdict="partial",
                score=10.0,
                max_score=12.5,
                feedback="measured",
            )
        ],
    )
    session.add(submission)
    session.flush()
    job = Job(
        kind=CHECKPOINT_JOB, user_id=user_id, problem_set=DL_EX1, field="q4.baseline", spec={}
    )
    job.status, job.submission_id = "done", submission.id
    session.add(job)
    session.commit()
    return submission.id


def class_of(client: TestClient, services: Services, session: Session, people: People) -> str:
    """Twenty students: most submit once, some twice, one on the published numbers, one is
    revoked, one hands in nothing; an instructor submits too; alice has a checkpoint."""
    tokens = [(people.alice_id, people.alice), (people.bob_id, people.bob)]
    for number in range(STUDENTS - len(tokens)):
        issued = issue(session, name=f"student {number:02d}", role=Role.STUDENT)
        tokens.append((issued.user.id, issued.token))
    session.commit()
    for k, (student_id, token) in enumerate(tokens):
        user = session.get(User, student_id)
        assert user is not None
        if k == STUDENTS - 1:
            continue
        if k == 6:
            store_published(services, session, user, k)
            continue
        if k % 7 == 3:
            submit(client, token, answers_for(services.catalog, student_id, k + 1))
        submit(client, token, answers_for(services.catalog, student_id, k))
        if k == 4:
            revoke_student(session, student_id)
            session.commit()
    submit(client, people.instructor, answers_for(services.catalog, None, 1))
    return store_checkpoint(session, people.alice_id)


# -- what the regrade must find, computed independently ----------------------------------------


@dataclass
class Stored:
    """A stored answers submission as it was before the regrade."""

    id: str
    user_id: str
    by_student: bool
    student: str | None
    created_at: Any
    answers: dict[str, str]
    scores: dict[str, float]


def stored_submissions(session: Session) -> list[Stored]:
    uploads = select(Job.submission_id).where(Job.submission_id.is_not(None))
    rows = session.scalars(
        select(Submission)
        .where(Submission.problem_set == DL_EX1, Submission.id.not_in(uploads))
        .options(selectinload(Submission.fields), selectinload(Submission.user))
    ).all()
    return [
        Stored(
            id=row.id,
            user_id=row.user_id,
            by_student=row.user.role == Role.STUDENT.value,
            student=None
            if row.published or row.user.role == Role.INSTRUCTOR.value
            else row.user_id,
            created_at=row.created_at,
            answers={grade.field: grade.answer for grade in row.fields},
            scores={grade.field: grade.score for grade in row.fields},
        )
        for row in rows
    ]


def graded_afresh(directory: Path, stored: list[Stored]) -> dict[str, dict[str, Any]]:
    """Submission id -> field -> the new result, from a fresh catalog on the changed files."""
    catalog = ProblemCatalog(directory)
    grader = SubmissionGrader(catalog, InProcessRunner(catalog))
    fresh: dict[str, dict[str, Any]] = {}
    for submission in stored:
        known = catalog.compiled(DL_EX1, submission.student).fields
        answers = {field: text for field, text in submission.answers.items() if field in known}
        result = grader.grade(DL_EX1, answers, student=submission.student)
        fresh[submission.id] = {field.field: field for field in result.fields}
    return fresh


def new_score(fresh: dict[str, Any], field: str) -> float:
    """A field the changed file no longer has scores nothing."""
    return fresh[field].score if field in fresh else 0.0


def expected_changes(
    stored: list[Stored], fresh: dict[str, dict[str, Any]], checkpoints: dict[str, float]
) -> dict[str, tuple[float, float, dict[str, tuple[float, float]]]]:
    """Student id -> (old total, new total, changed field -> (old, new)) for the students whose
    latest submission (which counts) has a field whose score changed."""
    latest: dict[str, Stored] = {}
    for submission in sorted(stored, key=lambda row: (row.created_at, row.id)):
        if submission.by_student:
            latest[submission.user_id] = submission
    changes = {}
    for user_id, submission in latest.items():
        new = {field: new_score(fresh[submission.id], field) for field in submission.scores}
        fields = {
            field: (old, new[field])
            for field, old in submission.scores.items()
            if round(old, 6) != round(new[field], 6)
        }
        if fields:
            extra = checkpoints.get(user_id, 0.0)
            old_total = sum(submission.scores.values()) + extra
            changes[user_id] = (old_total, sum(new.values()) + extra, fields)
    return changes


# -- running a regrade -------------------------------------------------------------------------


def start(client: TestClient, token: str, problem_set: str = DL_EX1) -> Any:
    return client.post(f"{API}/problem-sets/{problem_set}/regrade", headers=People.auth(token))


def regraded(client: TestClient, backend: MemoryBackend, people: People) -> dict[str, Any]:
    """Start a regrade, run it, and return the job's result."""
    response = start(client, people.instructor)
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    assert response.json()["links"]["self"] == f"{API}/jobs/{job_id}"
    assert backend.run_pending() == [job_id]
    job = client.get(f"{API}/jobs/{job_id}", headers=People.auth(people.instructor)).json()
    assert job["status"] == "done", job
    assert job["kind"] == "submissions.regrade"
    result: dict[str, Any] = job["result"]
    return result


def is_reported_as(
    result: dict[str, Any], expected: dict[str, tuple[float, float, dict[str, Any]]]
) -> None:
    reported = {student["student_id"]: student for student in result["students"]}
    assert set(reported) == set(expected)
    for student_id, (old_total, new_total, fields) in expected.items():
        student = reported[student_id]
        assert student["old_score"] == pytest.approx(old_total, abs=1e-5)
        assert student["new_score"] == pytest.approx(new_total, abs=1e-5)
        assert {field["field"]: (field["old"], field["new"]) for field in student["fields"]} == {
            field: (pytest.approx(old, abs=1e-6), pytest.approx(new, abs=1e-6))
            for field, (old, new) in fields.items()
        }
    names = [(student["name"], student["student_id"]) for student in result["students"]]
    assert names == sorted(names)


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_regrade_reports_exactly_the_students_the_change_affects(
    job_client: TestClient,
    backend: MemoryBackend,
    services: Services,
    session: Session,
    people: People,
    pristine: Path,
    change: str,
) -> None:
    checkpoint_id = class_of(job_client, services, session, people)
    stored = stored_submissions(session)
    change_file(pristine, CHANGES[change])
    fresh = graded_afresh(pristine, stored)
    expected = expected_changes(stored, fresh, checkpoints={people.alice_id: 10.0})
    with_work = len({submission.user_id for submission in stored})
    assert 0 < len(expected) < with_work
    result = regraded(job_client, backend, people)
    is_reported_as(result, expected)
    new_bytes = (pristine / f"{DL_EX1}.yaml").read_bytes()
    assert result["problem_hash"] == hashlib.sha256(new_bytes).hexdigest()
    assert (result["engine_version"], result["reference_hash"]) == (__version__, reference_hash())
    assert result["submissions"] == len(stored)
    changed = [
        row
        for row in stored
        if any(new_score(fresh[row.id], field) != score for field, score in row.scores.items())
    ]
    assert result["changed_submissions"] == len(changed)
    assert_stored_as_graded_afresh(session, stored, fresh, result["problem_hash"])
    assert_checkpoint_untouched(session, checkpoint_id)
    again = regraded(job_client, backend, people)
    assert (again["students"], again["changed_submissions"]) == ([], 0)
    assert again["submissions"] == len(stored)


def assert_stored_as_graded_afresh(
    session: Session, stored: list[Stored], fresh: dict[str, dict[str, Any]], problem_hash: str
) -> None:
    session.expire_all()
    for before in stored:
        row = session.get(Submission, before.id)
        assert row is not None
        assert (row.created_at, row.late, row.score_factor) == (before.created_at, False, 1.0)
        assert (row.problem_hash, row.engine_version) == (problem_hash, __version__)
        assert row.reference_hash == reference_hash()
        assert row.regraded_at is not None
        for grade in row.fields:
            assert grade.answer == before.answers[grade.field]
            if grade.field in fresh[row.id]:
                new = fresh[row.id][grade.field]
                assert (grade.verdict, grade.score, grade.max_score) == (
                    new.verdict,
                    new.score,
                    new.max_score,
                )
                assert (grade.feedback, grade.parsed, grade.note) == (
                    new.feedback,
                    new.parsed,
                    new.note,
                )
            else:
                assert (grade.verdict, grade.score, grade.feedback) == ("invalid", 0, RETIRED)
        assert row.total == pytest.approx(sum(grade.score for grade in row.fields))


def assert_checkpoint_untouched(session: Session, checkpoint_id: str) -> None:
    row = session.get(Submission, checkpoint_id)
    assert row is not None
    assert (row.regraded_at, row.problem_hash, row.total) == (None, "evaluated", 10.0)
    assert [(grade.score, grade.feedback) for grade in row.fields] == [(10.0, "measured")]


def test_a_regrade_of_unchanged_files_reports_nobody(
    job_client: TestClient,
    backend: MemoryBackend,
    services: Services,
    session: Session,
    people: People,
) -> None:
    class_of(job_client, services, session, people)
    stored = stored_submissions(session)
    result = regraded(job_client, backend, people)
    assert (result["students"], result["changed_submissions"]) == ([], 0)
    assert result["submissions"] == len(stored)


def test_an_interrupted_regrade_run_again_reports_everyone(
    job_client: TestClient,
    backend: MemoryBackend,
    services: Services,
    session: Session,
    people: People,
    pristine: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class_of(job_client, services, session, people)
    stored = stored_submissions(session)
    change_file(pristine, CHANGES["more partial credit"])
    expected = expected_changes(
        stored, graded_afresh(pristine, stored), checkpoints={people.alice_id: 10.0}
    )
    monkeypatch.setattr(regrade_service, "CHUNK", 4)
    response = start(job_client, people.instructor)
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    calls = iter([False, False, True])  # two chunks, then the service is stopping
    units = units_in(session)
    jobs_service.process(
        units,
        services.job_kinds,
        job_id,
        backend.execute,
        queue=backend.submit,
        stopping=lambda: next(calls, False),
    )
    job = session.get(Job, job_id, populate_existing=True)
    assert job is not None and job.status == "queued"
    partly = session.scalar(
        select(func.count()).select_from(Submission).where(Submission.regraded_at.is_not(None))
    )
    assert partly == 8
    assert backend.run_pending() == [job_id]
    body = job_client.get(f"{API}/jobs/{job_id}", headers=People.auth(people.instructor)).json()
    assert body["status"] == "done", body
    is_reported_as(body["result"], expected)


# -- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "broken",
    [
        replace_once("call: dense.input_shape", "call: dense.no_such_shape"),
        replace_once("credit: 0.5", "credit: 1.5"),
        replace_once("questions:\n", "questions: [\n"),
        replace_once("id: dl-ex1\n", "id: dl-ex2\n"),
    ],
)
def test_a_broken_problem_file_is_refused_and_changes_nothing(
    job_client: TestClient,
    backend: MemoryBackend,
    services: Services,
    session: Session,
    people: People,
    pristine: Path,
    row_counts: CountRows,
    broken: Callable[[str], str],
) -> None:
    class_of(job_client, services, session, people)
    before = (row_counts(), grades(session), services.catalog.fingerprint)
    jobs_before = session.scalar(select(func.count()).select_from(Job))
    change_file(pristine, CHANGES["more partial credit"])
    change_file(pristine, broken)
    response = start(job_client, people.instructor)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "UnusableProblemFile"
    assert "dl-ex1.yaml" in body["detail"] and str(pristine) not in body["detail"]
    assert backend.submitted == []
    assert session.scalar(select(func.count()).select_from(Job)) == jobs_before
    assert (row_counts(), grades(session), services.catalog.fingerprint) == before


def grades(session: Session) -> list[tuple[str, str, float, str]]:
    rows = session.execute(
        select(
            FieldGrade.submission_id, FieldGrade.field, FieldGrade.score, FieldGrade.verdict
        ).order_by(FieldGrade.submission_id, FieldGrade.field)
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_students_may_not_regrade(
    job_client: TestClient, backend: MemoryBackend, people: People
) -> None:
    response = start(job_client, people.alice)
    assert response.status_code == 403
    assert response.json()["error"] == "Forbidden"
    assert backend.submitted == []


def test_an_unknown_problem_set_is_404(
    job_client: TestClient, backend: MemoryBackend, people: People
) -> None:
    response = start(job_client, people.instructor, "dl-ex9")
    assert response.status_code == 404
    assert response.json()["error"] == "UnknownProblemSet"
    assert backend.submitted == []
