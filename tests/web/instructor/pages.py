"""Helpers for the instructor pages' tests: work stored as a student would hand it in (late or
not), class imports through the page's call, and the CSV a test hands in as a roster."""

import re
from dataclasses import replace

from fastapi import FastAPI
from httpx import Response
from markupsafe import escape
from sqlalchemy.orm import Session

from app.db.models import User, utcnow
from app.jobs.memory import MemoryBackend
from app.services import Services
from app.submissions import repository
from app.submissions.policy import ON_TIME, Lateness
from app.submissions.service import provenance_of, record
from app.users import repository as users
from tests.jobs.conftest import units_in
from tests.web.conftest import SignedIn

SET = "dl-ex1"
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
JOB_PATH = re.compile(r"^/jobs/([0-9a-f-]{36})$")


def escaped(text: str) -> str:
    """Text as the pages' templates write it."""
    return str(escape(text))


def hold_jobs(app: FastAPI, session: Session) -> MemoryBackend:
    """Jobs the pages queue, held until the test runs them, in the test's transaction."""
    services: Services = app.state.services
    held = MemoryBackend(units_in(session), services.job_kinds)
    app.state.services = replace(services, jobs=held)
    return held


def store(
    services: Services,
    session: Session,
    student_id: str,
    answers: dict[str, str],
    *,
    late: Lateness = ON_TIME,
    published: bool = False,
) -> str:
    """Grade the answers against the student's numbers (or the published ones) and store them
    as handed in; the submission's id."""
    user = student(session, student_id)
    numbers = None if published else user.id
    result = services.grader.grade(SET, answers, student=numbers)
    submission = record(
        result,
        answers,
        user=user,
        late=late,
        provenance=provenance_of(services, SET, utcnow()),
        published=published,
    )
    stored = repository.add(session, submission)
    session.commit()
    return stored.id


def student(session: Session, student_id: str) -> User:
    """A stored user."""
    user = users.by_id(session, student_id)
    assert user is not None
    return user


def import_class(
    teacher: SignedIn, content: bytes, *, filename: str = "class.jsonl", **options: bool
) -> Response:
    """POST a class file as the page's script does (the API's route, the page's session)."""
    return teacher.client.post(
        f"/api/v1/problem-sets/{SET}/batches",
        data={key: "true" for key, on in options.items() if on},
        files={"file": (filename, content, "application/octet-stream")},
        headers=teacher.headers(),
    )


def roster_csv(rows: list[tuple[str, str]]) -> bytes:
    """A roster file with a name and a login column."""
    lines = ["name,login", *(f'"{name}","{login}"' for name, login in rows)]
    return ("\n".join(lines) + "\n").encode()
