"""Fixtures for the statistics: the shipped problem sets plus best-policy copies, graded in
process, and a class of students."""

import shutil
from dataclasses import replace
from typing import NamedTuple

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db.models import Role
from app.problemsets.catalog import DEFAULT_DIRECTORY, ProblemCatalog
from app.problemsets.grader import SubmissionGrader
from app.problemsets.runner import InProcessRunner
from app.services import Services
from app.users.service import issue

HW5 = "eecs182-hw5"
DL_EX1 = "dl-ex1"
# Copies of the shipped sets under other ids, where the best submission counts.
BEST_COPIES = {"hw5-best": HW5, "dl-ex1-best": DL_EX1}


class Student(NamedTuple):
    """A student's token and user id."""

    token: str
    user_id: str


@pytest.fixture(scope="session")
def stats_catalog(tmp_path_factory: pytest.TempPathFactory) -> ProblemCatalog:
    """The shipped problem sets and their best-policy copies."""
    directory = tmp_path_factory.mktemp("stats-problems")
    for path in DEFAULT_DIRECTORY.glob("*.yaml"):
        shutil.copyfile(path, directory / path.name)
    for copy, source in BEST_COPIES.items():
        text = (DEFAULT_DIRECTORY / f"{source}.yaml").read_text(encoding="utf-8")
        text = text.replace(f"id: {source}\n", f"id: {copy}\n", 1)
        (directory / f"{copy}.yaml").write_text(
            f"{text.rstrip()}\n\npolicy:\n  score: best\n", encoding="utf-8"
        )
    return ProblemCatalog(directory)


@pytest.fixture
def stats_client(app: FastAPI, services: Services, stats_catalog: ProblemCatalog) -> TestClient:
    """An HTTP client for the app serving that catalog, grading in this process."""
    runner = InProcessRunner(stats_catalog)
    grader = SubmissionGrader(stats_catalog, runner)
    app.state.services = replace(services, catalog=stats_catalog, runner=runner, grader=grader)
    return TestClient(app, raise_server_exceptions=False)


def enroll(session: Session, count: int) -> list[Student]:
    """Create `count` students in the test's transaction."""
    issued = [
        issue(session, name=f"student {index:02d}", role=Role.STUDENT) for index in range(count)
    ]
    session.commit()
    return [Student(student.token, student.user.id) for student in issued]
