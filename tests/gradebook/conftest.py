"""Fixtures for grade-book exports: the policy copies of eecs182-hw5 and a dl-ex1 copy that
counts the best submission and penalizes late ones, graded in process."""

from dataclasses import replace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.problemsets.catalog import ProblemCatalog
from app.problemsets.grader import SubmissionGrader
from app.problemsets.runner import InProcessRunner
from app.services import Services
from tests.submissions.conftest import LATE_FACTOR, PAST, write_policy_copies

DL_EX1 = "dl-ex1"
DL_EX1_BEST = "dl-ex1-best-penalize"


@pytest.fixture(scope="session")
def book_catalog(tmp_path_factory: pytest.TempPathFactory) -> ProblemCatalog:
    """The shipped problem sets, the policy copies, and dl-ex1 with a best/penalize policy."""
    directory = tmp_path_factory.mktemp("gradebook-problems")
    write_policy_copies(directory)
    text = (directory / f"{DL_EX1}.yaml").read_text(encoding="utf-8")
    text = text.replace(f"id: {DL_EX1}\n", f"id: {DL_EX1_BEST}\n", 1)
    block = (
        f"policy:\n  score: best\n  due: {PAST}\n  late: penalize\n  late_factor: {LATE_FACTOR}\n"
    )
    path = directory / f"{DL_EX1_BEST}.yaml"
    path.write_text(f"{text.rstrip()}\n\n{block}", encoding="utf-8")
    return ProblemCatalog(directory)


@pytest.fixture
def book_services(services: Services, book_catalog: ProblemCatalog) -> Services:
    """The test database, grading the grade-book catalog in process."""
    runner = InProcessRunner(book_catalog)
    grader = SubmissionGrader(book_catalog, runner)
    return replace(services, catalog=book_catalog, runner=runner, grader=grader)


@pytest.fixture
def book_client(app: FastAPI, book_services: Services) -> TestClient:
    """An HTTP client for the app serving the grade-book catalog."""
    app.state.services = book_services
    return TestClient(app, raise_server_exceptions=False)
