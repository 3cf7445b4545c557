"""`dlgrade grade`: grade one answers file offline and print the result as JSON."""

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.commands.errors import CliError
from app.problemsets.paths import DEFAULT_DIRECTORY
from app.untrusted import UnreadableJson, read_json
from app.warmup import start_grader_fork_server

if TYPE_CHECKING:
    from app.problemsets.grader import SubmissionGrader

MAX_FILE_BYTES = 1_000_000


def grade(args: argparse.Namespace) -> None:
    """Grade the answers file against the problem set (and --student's variant)."""
    directory = args.problems or DEFAULT_DIRECTORY
    with submission_grader(directory, in_process=args.in_process) as grader:
        answers = _read_answers(args.file)
        result = grader.grade(args.problem_set, answers, student=args.student)
    # The documented keys only: the answer note is for the grade book's statistics.
    shown_fields = {"fields": {"__all__": {"note"}}}
    print(json.dumps(result.model_dump(mode="json", exclude=shown_fields), indent=2))


@contextmanager
def submission_grader(directory: Path, *, in_process: bool) -> "Iterator[SubmissionGrader]":
    """A grader of the problem sets in `directory`, grading in sandboxed workers unless
    `in_process` (trusted input only)."""
    if not in_process:
        start_grader_fork_server()
    # Imported only now, so that the fork server imports the grader on the other core meanwhile.
    from app.problemsets.catalog import ProblemCatalog
    from app.problemsets.grader import SubmissionGrader
    from app.problemsets.runner import FieldRunner, InProcessRunner, SandboxRunner, grading_pool

    # Loaded before the worker is asked for, which waits until the fork server has imported
    # the grader: files checked before cost this process no SymPy, only reading them.
    catalog = ProblemCatalog(directory)
    pool = None if in_process else grading_pool(directory)
    try:
        runner: FieldRunner = (
            InProcessRunner(catalog) if pool is None else SandboxRunner(catalog, pool=pool)
        )
        yield SubmissionGrader(catalog, runner)
    finally:
        if pool is not None:
            pool.close()


def _read_answers(name: str) -> dict[str, Any]:
    text = _read_text(name)
    try:
        document = read_json(text, what=name)
    except UnreadableJson as exc:
        raise CliError(str(exc)) from None
    if not isinstance(document, dict) or not isinstance(document.get("answers"), dict):
        raise CliError(f'{name} must hold an object {{"answers": {{field id: answer text}}}}')
    return document["answers"]  # type: ignore[no-any-return]


def _read_text(name: str) -> str:
    try:
        if name == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with open(name, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise CliError(f"cannot read {name}: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise CliError(f"{name} is larger than {MAX_FILE_BYTES} bytes")
    try:
        # Editors on Windows start UTF-8 files with a byte-order mark; it is not content.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CliError(f"{name} is not UTF-8 text") from None
