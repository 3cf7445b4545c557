"""The `dlgrade` command: run the service, add an instructor, list problem sets, grade files,
import a class, export its grade book, report and answer rules, regrade it."""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.commands.choices import (
    CSV_FORMATS,
    FORMATS,
    GRADESCOPE_PATHS,
    TOKEN_VARIABLE,
    VARIANT_KEYS,
    VISIBILITIES,
)
from app.commands.errors import EXIT_BAD_INPUT, CliError
from app.errors import DomainError
from app.problemsets.loader import ProblemFileError

if TYPE_CHECKING:
    from app.commands.remote import Connect

EXIT_INTERRUPTED = 130
RERUN = "what was stored stays, and the same command run again carries on from there"


def main(argv: Sequence[str] | None = None, *, connect: "Connect | None" = None) -> int:
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


def _run(args: argparse.Namespace, connect: "Connect | None") -> None:
    # Each command imports what it needs as it runs: listing the problem sets should not
    # wait for the database, the HTTP client or the plotting library to load.
    match args.command:
        case "serve":
            from app.commands.local import settings
            from app.server import serve

            serve(settings(args))
        case "create-instructor":
            from app.commands.instructor import add_instructor

            add_instructor(args)
        case "problems":
            from app.commands.problems import list_problem_sets

            list_problem_sets(args)
        case "grade":
            from app.commands.grade import grade

            grade(args)
        case "worker":
            from app.commands.worker import run_worker

            run_worker(args)
        case "gradescope":
            from app.commands.gradescope import gradescope

            gradescope(args)
        case "gradescope-setup":
            from app.commands.gradescope import setup

            setup(args)
        case _:
            _run_class_command(args, connect)


def _run_class_command(args: argparse.Namespace, connect: "Connect | None") -> None:
    """The commands that run on the local database or on --server."""
    from app.commands import remote

    opened = remote.connect if connect is None else connect
    match args.command:
        case "batch":
            from app.commands.batch import batch

            batch(args, opened)
        case "gradebook":
            from app.commands.gradebook import export_gradebook

            export_gradebook(args, opened)
        case "report":
            from app.commands.report import write_report

            write_report(args, opened)
        case "regrade":
            from app.commands.regrade import regrade

            regrade(args, opened)
        case "rules":
            from app.commands.rules import export_rules

            export_rules(args, opened)


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
    _add_worker(commands)
    _add_class_commands(commands)
    _add_gradescope(commands)
    return parser


def _add_grade(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    grade = commands.add_parser("grade", help='grade a JSON file {"answers": {field: text}}')
    grade.add_argument("--problem-set", required=True, help="problem-set id, e.g. dl-ex1")
    grade.add_argument("--student", help="grade against this student's variant")
    grade.add_argument(
        "--in-process", action="store_true", help="skip the sandboxed worker (trusted input only)"
    )
    grade.add_argument("file", help="answers file, or - for standard input")


def _add_worker(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    worker = commands.add_parser(
        "worker", help="run a Celery worker for the service's jobs (needs DLGRADE_BROKER_URL)"
    )
    worker.add_argument(
        "--queues",
        default="evaluations,imports,regrades",
        help="comma-separated: evaluations, imports, regrades (default: all)",
    )
    worker.add_argument(
        "--concurrency", type=int, default=1, help="jobs run at once (one process each)"
    )
    worker.add_argument(
        "--prefetch-multiplier",
        type=int,
        default=1,
        help="jobs each process reserves ahead (1: a waiting job stays free for others)",
    )
    worker.add_argument(
        "--time-limit", type=float, help="seconds after which a job's process is killed"
    )


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
    _add_rules(commands)


def _add_rules(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    rules = commands.add_parser("rules", help="the answer rules instructors made")
    actions = rules.add_subparsers(dest="rules_command", required=True)
    export = actions.add_parser(
        "export",
        parents=[_server_options()],
        help="print the rules as problem-file YAML to fold into the file's fields",
    )
    export.add_argument("problem_set", metavar="PROBLEM_SET", help="problem-set id, e.g. dl-ex1")
    export.add_argument("--out", type=Path, help="the file to write (default: standard output)")


def _add_gradescope(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Gradescope's autograder mode, and the files a course uploads for it."""
    shown = argparse.ArgumentParser(add_help=False)
    shown.add_argument("--visibility", choices=VISIBILITIES, help="when students see results")
    shown.add_argument(
        "--variant-key",
        choices=VARIANT_KEYS,
        help="the submitter's detail that seeds their variant (published: the published numbers)",
    )
    run = commands.add_parser(
        "gradescope", parents=[shown], help="grade a Gradescope submission into results.json"
    )
    run.add_argument("--problem-set", help="problem-set id (default: the setup's)")
    for option, default in GRADESCOPE_PATHS.items():
        run.add_argument(f"--{option}", type=Path, default=Path(default), help=f"({default})")
    run.add_argument(
        "--prepare", action="store_true", help="load the problem set and fetch the dataset only"
    )
    run.add_argument(
        "--in-process", action="store_true", help="skip the sandboxed worker (trusted input only)"
    )
    setup = commands.add_parser(
        "gradescope-setup", parents=[shown], help="write the autograder files Gradescope takes"
    )
    setup.add_argument("--out", type=Path, required=True, help="a new directory for the files")
    setup.add_argument("--problem-set", required=True, help="problem-set id, e.g. dl-ex1")


def _class_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False, parents=[_server_options()])
    options.add_argument("--problem-set", required=True, help="problem-set id, e.g. dl-ex1")
    return options


def _server_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--server",
        metavar="URL",
        help="a running service (http:// or https://) instead of the local database",
    )
    options.add_argument(
        "--token",
        help=f"an instructor's token for --server (default: ${TOKEN_VARIABLE}); "
        "write --token=T when T starts with -",
    )
    return options


if __name__ == "__main__":
    sys.exit(main())
