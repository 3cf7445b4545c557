"""The `dlgrade` command: run the service, add an instructor, list problem sets, grade files,
import a class, export its grade book and report, regrade it."""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from app.commands import local, remote
from app.commands.batch import batch
from app.commands.errors import EXIT_BAD_INPUT, CliError
from app.commands.grade import grade
from app.commands.gradebook import CSV_FORMATS, FORMATS, export_gradebook
from app.commands.instructor import add_instructor
from app.commands.problems import list_problem_sets
from app.commands.regrade import regrade
from app.commands.report import write_report
from app.errors import DomainError
from app.problemsets.loader import ProblemFileError
from app.server import serve

EXIT_INTERRUPTED = 130
RERUN = "what was stored stays, and the same command run again carries on from there"


def main(argv: Sequence[str] | None = None, *, connect: remote.Connect = remote.connect) -> int:
    """Run the command line; returns the exit status. `connect` opens --server."""
    args = _parser().parse_args(argv)
    try:
        _run(args, connect)
    except (CliError, DomainError, ProblemFileError) as exc:
        print(f"dlgrade: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        # Imports and regrades store chunk by chunk under keys, so a rerun carries on.
        print(f"dlgrade: interrupted; {RERUN}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


def _run(args: argparse.Namespace, connect: remote.Connect) -> None:
    match args.command:
        case "serve":
            serve(local.settings(args))
        case "create-instructor":
            add_instructor(args)
        case "problems":
            list_problem_sets(args)
        case "grade":
            grade(args)
        case "batch":
            batch(args, connect)
        case "gradebook":
            export_gradebook(args, connect)
        case "report":
            write_report(args, connect)
        case "regrade":
            regrade(args, connect)


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
    _add_grade(commands)
    _add_class_commands(commands)
    return parser


def _add_grade(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    grade = commands.add_parser("grade", help='grade a JSON file {"answers": {field: text}}')
    grade.add_argument("--problem-set", required=True, help="problem-set id, e.g. dl-ex1")
    grade.add_argument("--student", help="grade against this student's variant")
    grade.add_argument(
        "--in-process", action="store_true", help="skip the sandboxed worker (trusted input only)"
    )
    grade.add_argument("file", help="answers file, or - for standard input")


def _add_class_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """The instructor's commands on a whole class: on the local database, or on --server."""
    shared = _class_options()
    batch = commands.add_parser(
        "batch", parents=[shared], help="grade a class file (JSONL, CSV or ZIP) into the database"
    )
    batch.add_argument("file", type=Path, help="the class file")
    batch.add_argument("--out", type=Path, required=True, help="where to write the grade book")
    batch.add_argument("--format", choices=CSV_FORMATS, default="csv", help="grade-book format")
    batch.add_argument(
        "--create-students", action="store_true", help="create a student for each unknown name"
    )
    batch.add_argument(
        "--published-numbers",
        action="store_true",
        help="grade against the published numbers, not each student's own variant",
    )
    gradebook = commands.add_parser("gradebook", parents=[shared], help="export the grade book")
    gradebook.add_argument("--out", type=Path, required=True, help="the file to write")
    gradebook.add_argument("--format", choices=FORMATS, default="csv", help="the file's format")
    report = commands.add_parser(
        "report", parents=[shared], help="write the answer statistics as one HTML file"
    )
    report.add_argument("--out", type=Path, required=True, help="the file to write")
    commands.add_parser(
        "regrade",
        parents=[shared],
        help="regrade every submission with the current problem file; print whose grade changed",
    )


def _class_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--problem-set", required=True, help="problem-set id, e.g. dl-ex1")
    options.add_argument(
        "--server",
        metavar="URL",
        help="a running service (http:// or https://) instead of the local database",
    )
    options.add_argument(
        "--token",
        help=f"an instructor's token for --server (default: ${remote.TOKEN_VARIABLE}); "
        "write --token=T when T starts with -",
    )
    return options


if __name__ == "__main__":
    sys.exit(main())
