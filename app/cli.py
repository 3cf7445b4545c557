"""The `dlgrade` command: run the service, add an instructor, list problem sets, grade files."""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.config import Settings
from app.errors import DomainError
from app.grading.runner import FieldRunner, InProcessRunner, SandboxRunner
from app.grading.service import SubmissionGrader
from app.problemsets.catalog import DEFAULT_DIRECTORY, ProblemCatalog
from app.problemsets.loader import ProblemFileError
from app.server import serve
from app.untrusted import shown
from app.users.service import create_instructor

MAX_FILE_BYTES = 1_000_000
EXIT_BAD_INPUT = 2
MAX_INT_DIGITS = 100


class CliError(Exception):
    """Bad input on the command line; the message is printed and the exit status is 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            serve(_settings(args))
        elif args.command == "create-instructor":
            _create_instructor(args)
        else:
            _offline(args)
    except (CliError, DomainError, ProblemFileError) as exc:
        print(f"dlgrade: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def _offline(args: argparse.Namespace) -> None:
    catalog = ProblemCatalog(args.problems or DEFAULT_DIRECTORY)
    if args.command == "problems":
        _list_problem_sets(catalog)
    else:
        _grade(catalog, args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dlgrade", description=__doc__)
    parser.add_argument(
        "--problems",
        type=Path,
        help="problem-set directory for problems and grade (the service reads "
        "DLGRADE_PROBLEMS_DIR)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "serve", help="run the HTTP service; settings from DLGRADE_* environment variables"
    )
    instructor = commands.add_parser(
        "create-instructor", help="add an instructor and print their token (shown only once)"
    )
    instructor.add_argument("name", help="the instructor's name")
    commands.add_parser("problems", help="list the problem sets")
    grade = commands.add_parser("grade", help='grade a JSON file {"answers": {field: text}}')
    grade.add_argument("--problem-set", required=True, help="problem-set id, e.g. dl-ex1")
    grade.add_argument("--student", help="grade against this student's variant")
    grade.add_argument(
        "--in-process", action="store_true", help="skip the sandboxed worker (trusted input only)"
    )
    grade.add_argument("file", help="answers file, or - for standard input")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    """The service settings from the environment; --problems would not reach the server."""
    if args.problems is not None:
        raise CliError(f"{args.command} reads the problem directory from DLGRADE_PROBLEMS_DIR")
    try:
        return Settings()
    except ValidationError as exc:
        raise CliError(f"the DLGRADE_* settings are not valid: {exc}") from None


def _create_instructor(args: argparse.Namespace) -> None:
    token = create_instructor(_settings(args), args.name)
    # The token alone on stdout, so that a script can capture it; the note goes to stderr.
    print(token)
    print(
        f"dlgrade: instructor {shown(args.name)} created; the token above is shown only once",
        file=sys.stderr,
    )


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
