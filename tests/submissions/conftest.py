"""Fixtures for submissions: the published answers, and problem sets with deadline policies."""

from dataclasses import replace
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.problemsets.catalog import DEFAULT_DIRECTORY, ProblemCatalog
from app.problemsets.grader import SubmissionGrader
from app.problemsets.runner import InProcessRunner
from app.services import Services
from tests.problemsets.answers_published import ACCEPTED

HW5 = "eecs182-hw5"
PAST = "2000-01-01T00:00:00Z"
FUTURE = "2999-01-01T00:00:00Z"
LATE_FACTOR = 0.25

# Copies of eecs182-hw5 under other ids, each with the policy block it is named for.
POLICIES = {
    "hw5-open": {"due": FUTURE, "late": "refuse"},
    "hw5-late-accept": {"due": PAST, "late": "accept"},
    "hw5-late-penalize": {"due": PAST, "late": "penalize", "late_factor": LATE_FACTOR},
    "hw5-late-refuse": {"due": PAST, "late": "refuse"},
    "hw5-best": {"score": "best"},
    "hw5-best-penalize": {
        "score": "best",
        "due": PAST,
        "late": "penalize",
        "late_factor": LATE_FACTOR,
    },
}


def published_answers(problem_set: str) -> dict[str, str]:
    """One published answer for every field of a problem set: full marks."""
    answers: dict[str, str] = {}
    for row_set, field, answer in ACCEPTED:
        if row_set == problem_set:
            answers.setdefault(field, answer)
    return answers


def write_policy_copies(directory: Path) -> None:
    """The shipped problem files, plus the policy copies of eecs182-hw5."""
    hw5 = (DEFAULT_DIRECTORY / f"{HW5}.yaml").read_text(encoding="utf-8")
    for path in DEFAULT_DIRECTORY.glob("*.yaml"):
        (directory / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    for problem_set, rules in POLICIES.items():
        text = hw5.replace(f"id: {HW5}\n", f"id: {problem_set}\n", 1)
        block = "".join(f"  {key}: {value}\n" for key, value in rules.items())
        path = directory / f"{problem_set}.yaml"
        path.write_text(f"{text.rstrip()}\n\npolicy:\n{block}", encoding="utf-8")


@pytest.fixture(scope="session")
def policy_catalog(tmp_path_factory: pytest.TempPathFactory) -> ProblemCatalog:
    """A catalog of the shipped problem sets and the policy copies."""
    directory = tmp_path_factory.mktemp("problems")
    write_policy_copies(directory)
    return ProblemCatalog(directory)


@pytest.fixture
def policy_services(services: Services, policy_catalog: ProblemCatalog) -> Services:
    """The test database and workers' settings, grading the policy catalog in process."""
    runner = InProcessRunner(policy_catalog)
    grader = SubmissionGrader(policy_catalog, runner)
    return replace(services, catalog=policy_catalog, runner=runner, grader=grader)


@pytest.fixture
def policy_client(app: FastAPI, policy_services: Services) -> TestClient:
    """An HTTP client for the app serving the policy catalog."""
    app.state.services = policy_services
    return TestClient(app, raise_server_exceptions=False)
