"""A regrade through the API reloads changed problem files; a `dlgrade worker` process that
loaded the old files before it (and runs no regrade itself) grades the next import and records
the next evaluation with the new ones. The API and the worker each read their own copy."""

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.models import Submission
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.paths import DEFAULT_DIRECTORY
from tests.batches.classgen import generate
from tests.checkpoints.http import DL_EX1
from tests.jobs.celery_harness import (
    Api,
    Worker,
    api_settings,
    import_class,
    running_api,
    start_regrade,
    start_worker,
    untrained_model,
    upload_model,
    wait_for,
)
from tests.problemsets.editing import edit_problem_file

pytestmark = pytest.mark.timeout(600)

POINTS = ("points: 12.5", "points: 25", "points: 50")
"""The edits the regrades pick up, one after the other: a question of dl-ex1 is worth more."""


@dataclass(frozen=True)
class Deployment:
    """The API and a worker, each with its own copy of the problem files."""

    api: Api
    worker: Worker
    copies: tuple[Path, Path]


def _copy(directory: Path) -> Path:
    shutil.copytree(DEFAULT_DIRECTORY, directory)
    return directory


def _max_total(problems: Path) -> float:
    return ProblemCatalog(problems).compiled(DL_EX1).max_total


@pytest.fixture(scope="module")
def deployment(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, broker_url: str
) -> Iterator[Deployment]:
    """The API, and a worker on the import and evaluation queues only (no regrades), started
    and ready before the files change."""
    directory = tmp_path_factory.mktemp("catalog")
    copies = (_copy(directory / "api-problems"), _copy(directory / "worker-problems"))
    settings = api_settings(directory / "api", database_url, broker_url).model_copy(
        update={"problems_dir": copies[0]}
    )
    with running_api(settings) as api:
        worker = start_worker(
            directory / "worker",
            database_url,
            broker_url,
            "imports",
            "evaluations",
            settings={"problems_dir": copies[1]},
        )
        try:
            wait_for(lambda: "is ready for jobs" in worker.output(), what="the worker's start")
            yield Deployment(api, worker, copies)
        finally:
            worker.stop()


def _regrade_edited(deployment: Deployment, old: str, new: str) -> float:
    """Edit every copy of the files, regrade through the API; the maximum total now."""
    before = _max_total(deployment.copies[1])
    for copy in deployment.copies:
        edit_problem_file(copy, old, new)
    after = _max_total(deployment.copies[1])
    assert after != before
    start_regrade(deployment.api)
    return after


def test_an_evaluation_after_a_regrade_is_recorded_with_the_new_files(
    deployment: Deployment,
) -> None:
    api, worker = deployment.api, deployment.worker
    after = _regrade_edited(deployment, *POINTS[0:2])
    evaluated = api.ended(upload_model(api, untrained_model(seed=11)), worker)
    assert evaluated["status"] == "done", (evaluated, worker.output())
    with api.services.sessions() as session:
        submission = session.get(Submission, evaluated["submission_id"])
        assert submission is not None and submission.max_total == after


def test_an_import_after_a_regrade_is_graded_with_the_new_files(deployment: Deployment) -> None:
    api, worker = deployment.api, deployment.worker
    after = _regrade_edited(deployment, *POINTS[1:3])
    imported = api.ended(import_class(api, generate(5, seed=11, prefix="after")), worker)
    assert imported["status"] == "done", (imported, worker.output())
    with api.services.sessions() as session:
        query = select(Submission.max_total).where(Submission.batch_key.is_not(None))
        stored = list(session.scalars(query))
    assert len(stored) == 5 and set(stored) == {after}
