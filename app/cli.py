"""The `dlgrade` command: list problem sets and grade answer files without a server."""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.errors import DomainError
from app.grading.runner import FieldRunner, InProcessRunner, SandboxRunner
from app.grading.service import SubmissionGrader
from app.problemsets.catalog import DEFAULT_DIRECTORY, ProblemCatalog
from app.problemsets.loader import ProblemFileError
from app.untrusted import shown

MAX_FILE_BYTES = 1_000_000
EXIT_BAD_INPUT = 2
MAX_INT_DIGITS = 100


class CliError(Exception):
    """Bad input on the command line; the message is printed and the exit status is 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        catalog = ProblemCatalog(args.problems)
        if args.command == "problems":
            _list_problem_sets(catalog)
        else:
            _grade(catalog, args)
    except (CliError, DomainError, ProblemFileError) as exc:
        print(f"dlgrade: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dlgrade", description=__doc__)
    parser.add_argument(
        "--problems", type=Path, default=DEFAULT_DIRECTORY, help="problem-set directory"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("problems", help="list the problem sets")
    grade = commands.add_parser("grade", help='grade a JSON file {"answers": {field: text}}')
    grade.add_argument("--problem-set", required=True, help="problem-set id, e.g. dl-ex1")
    grade.add_argument("--student", help="grade against this student's variant")
    grade.add_argument(
        "--in-process", action="store_true", help="skip the sandboxed worker (trusted input only)"
    )
    grade.add_argument("file", help="answers file, or - for standard input")
    return parser


def _list_problem_sets(catalog: ProblemCatalog) -> None:
    for problem_set in catalog.ids():
        definition = catalog.definition(problem_set)
        compiled = catalog.compiled(problem_set)
        print(
            f"{problem_set:<14} {definition.title} "
            f"({len(compiled.fields)} fields, {compiled.max_total:g} points)"
        )


def _grade(catalog: ProblemCatalog, args: argparse.Namespace) -> None:
    answers = _read_answers(args.file)
    runner: FieldRunner = InProcessRunner(catalog) if args.in_process else SandboxRunner(catalog)
    try:
        result = SubmissionGrader(catalog, runner).grade(
            args.problem_set, answers, student=args.student
        )
    finally:
        if isinstance(runner, SandboxRunner):
            runner.close()
    print(json.dumps(result.model_dump(mode="json"), indent=2))


def _read_answers(name: str) -> dict[str, Any]:
    text = _read_text(name)
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys, parse_int=_small_int)
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


def _small_int(digits: str) -> int:
    # Answers are strings; a number here is an error either way, but a huge one costs time.
    if len(digits) > MAX_INT_DIGITS:
        raise ValueError(f"a number has more than {MAX_INT_DIGITS} digits")
    return int(digits)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two answers to one field leave the grader guessing which one the student meant.
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise ValueError(f"the key {shown(key)} appears twice in one object")
        document[key] = value
    return document


if __name__ == "__main__":
    sys.exit(main())
