"""`dlgrade grade`: grade one answers file offline and print the result as JSON."""

import argparse
import json
import sys
from typing import Any

from app.commands.errors import CliError
from app.problemsets.paths import DEFAULT_DIRECTORY
from app.untrusted import strict_json
from app.warmup import start_grader_fork_server

MAX_FILE_BYTES = 1_000_000


def grade(args: argparse.Namespace) -> None:
    """Grade the answers file against the problem set (and --student's variant)."""
    if not args.in_process:
        start_grader_fork_server()
    # Imported only now, so that the fork server imports the grader on the other core meanwhile.
    from app.problemsets.catalog import ProblemCatalog
    from app.problemsets.grader import SubmissionGrader
    from app.problemsets.runner import FieldRunner, InProcessRunner, SandboxRunner, grading_pool

    directory = args.problems or DEFAULT_DIRECTORY
    # Started first, so the worker loads its problem sets on the other core while we load ours.
    pool = None if args.in_process else grading_pool(directory)
    try:
        catalog = ProblemCatalog(directory)
        answers = _read_answers(args.file)
        runner: FieldRunner = (
            InProcessRunner(catalog) if pool is None else SandboxRunner(catalog, pool=pool)
        )
        result = SubmissionGrader(catalog, runner).grade(
            args.problem_set, answers, student=args.student
        )
    finally:
        if pool is not None:
            pool.close()
    # The documented keys only: the answer note is for the grade book's statistics.
    shown_fields = {"fields": {"__all__": {"note"}}}
    print(json.dumps(result.model_dump(mode="json", exclude=shown_fields), indent=2))


def _read_answers(name: str) -> dict[str, Any]:
    text = _read_text(name)
    try:
        document = strict_json(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"{name} is not valid JSON: {exc}") from None
    except RecursionError:
        raise CliError(f"{name} is nested too deeply") from None
    except ValueError as exc:  # an integer with more digits than Python converts, a repeated key
        raise CliError(f"{name} cannot be read: {exc}") from None
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
