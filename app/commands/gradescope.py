"""`dlgrade gradescope`: grade the submission Gradescope put under /autograder and write its
results.json, always (score 0 and what to fix when the submission cannot be graded); and
`dlgrade gradescope-setup`: write the files a course uploads as its autograder."""

import argparse
import os
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from app.commands.errors import CliError
from app.commands.grade import submission_grader
from app.problemsets.paths import DEFAULT_DIRECTORY

if TYPE_CHECKING:
    from app.checkpoints.offline import LocalEvaluator
    from app.config import Settings
    from app.gradescope.schemas import GradescopeResults, GradescopeSettings
    from app.problemsets.catalog import ProblemCatalog

MAX_SETTINGS_BYTES = 10_000
PROJECT = Path(__file__).resolve().parents[2]
"""The checkout gradescope-setup copies dlgrade's sources from."""


def gradescope(args: argparse.Namespace) -> None:
    """Grade the submission and write results.json; CliError only when it cannot be written."""
    if args.prepare:
        _prepare(args)
        return
    started = time.monotonic()
    try:
        results = _graded(args)
    except Exception as exc:
        # A fault of the autograder itself: the student still gets a results.json.
        traceback.print_exc()
        _write_results(args.results, _failed(f"The autograder failed ({type(exc).__name__})."))
        raise CliError(f"grading failed: {exc}") from None
    results.execution_time = round(time.monotonic() - started)
    _write_results(args.results, results)
    print(f"dlgrade: wrote {args.results}: score {results.score:g}")


def setup(args: argparse.Namespace) -> None:
    """Write the autograder's files into --out and print what was written."""
    from app.gradescope.schemas import GradescopeSettings
    from app.gradescope.setup import write_autograder
    from app.problemsets.catalog import ProblemCatalog

    problems = args.problems or DEFAULT_DIRECTORY
    # Loading checks every problem file, and that the problem set is there.
    ProblemCatalog(problems).definition(args.problem_set)
    settings = GradescopeSettings(
        problem_set=args.problem_set,
        visibility=args.visibility or "visible",
        variant_key=args.variant_key or "email",
    )
    written = write_autograder(args.out, settings, problems=problems, project=PROJECT)
    print(f"wrote {len(written)} files; upload {written[-1]} as the autograder")


def _graded(args: argparse.Namespace) -> "GradescopeResults":
    """The results to write, a refusal's included."""
    from app.gradescope import results
    from app.gradescope.service import SubmissionPaths, grade_submission

    chosen = _chosen(args)
    if isinstance(chosen, str):
        return results.refused(chosen, None, visibility=args.visibility or "visible")
    try:
        service_settings = _service_settings()
    except CliError as exc:
        return results.refused(str(exc), None, visibility=chosen.visibility)
    directory = args.problems or DEFAULT_DIRECTORY
    with submission_grader(directory, in_process=args.in_process) as grader:
        opened = partial(_evaluator, service_settings, grader.catalog, chosen.problem_set)
        submission = SubmissionPaths(args.submission_dir, args.metadata)
        return grade_submission(grader, opened, chosen, submission)


def _chosen(args: argparse.Namespace) -> "GradescopeSettings | str":
    """The setup's settings with the command line's over them, or why there are none."""
    from pydantic import ValidationError

    from app.gradescope.schemas import GradescopeSettings

    try:
        written = _written_settings(args.settings)
        given = {
            "problem_set": args.problem_set,
            "visibility": args.visibility,
            "variant_key": args.variant_key,
        }
        merged = {**written, **{key: value for key, value in given.items() if value is not None}}
        if "problem_set" not in merged:
            return (
                f"No problem set: {args.settings} is missing; run dlgrade gradescope-setup, "
                "or pass --problem-set."
            )
        return GradescopeSettings.model_validate(merged)
    except (ValidationError, CliError) as exc:
        return f"The autograder's settings are not valid: {exc}"


def _written_settings(path: Path) -> dict[str, object]:
    from app.untrusted import UnreadableJson, read_json

    if not path.is_file():
        return {}
    try:
        document = read_json(path.read_bytes()[:MAX_SETTINGS_BYTES].decode(), what=str(path))
    except (UnreadableJson, UnicodeDecodeError) as exc:
        raise CliError(str(exc)) from None
    if not isinstance(document, dict):
        raise CliError(f"{path} must hold an object")
    return document


def _service_settings() -> "Settings":
    from pydantic import ValidationError

    from app.config import Settings

    try:
        return Settings()
    except ValidationError as exc:
        raise CliError(f"the DLGRADE_* settings are not valid: {exc}") from None


def _prepare(args: argparse.Namespace) -> None:
    """Check the problem set (its samples are cached as it loads); fetch the dataset if its
    fields take models. Writes no results."""
    from app.problemsets.catalog import ProblemCatalog

    chosen = _chosen(args)
    if isinstance(chosen, str):
        raise CliError(chosen)
    settings = _service_settings()
    catalog = ProblemCatalog(args.problems or DEFAULT_DIRECTORY)
    compiled = catalog.compiled(chosen.problem_set)
    print(f"dlgrade: {chosen.problem_set} loaded, {len(compiled.fields)} fields")
    if any(field.is_upload for field in compiled.fields.values()):
        from app.checkpoints.dataset import DatasetError, ensure_files

        try:
            ensure_files(settings.dataset_dir, progress=False)
        except DatasetError as exc:
            raise CliError(str(exc)) from None
        print(f"dlgrade: Fashion-MNIST is in {settings.dataset_dir}")


@contextmanager
def _evaluator(
    settings: "Settings", catalog: "ProblemCatalog", problem_set: str
) -> "Iterator[LocalEvaluator]":
    """The sandboxed evaluation worker, as the service runs it, for one submission's models."""
    from app.bootstrap import evaluation_memory_limit
    from app.checkpoints.offline import LocalEvaluator
    from app.checkpoints.worker import prepare
    from app.sandbox import WorkerPool

    pool = WorkerPool(
        size=1,
        memory_limit_bytes=evaluation_memory_limit(settings),
        initializer=partial(prepare, str(settings.dataset_dir.resolve())),
    )
    try:
        yield LocalEvaluator(settings, catalog, pool, problem_set)
    finally:
        pool.close()


def _failed(message: str) -> "GradescopeResults":
    from app.gradescope.results import refused

    return refused(message, None, visibility="visible")


def _write_results(path: Path, results: "GradescopeResults") -> None:
    """Replace the file at once, so that a reader never sees half of it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=".results-")
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(results.model_dump_json(indent=2, exclude_none=True))
        os.replace(name, path)
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror}") from None
