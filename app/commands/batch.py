"""`dlgrade batch`: grade a class file, wait for its model evaluations, write the grade book.

Embedded, the import runs in this process on the database `dlgrade serve` uses; with
--server, the service runs it as a job and this command follows it. Either way the exit
status is 0 once the import ran, bad rows or not (they are listed), and 2 when the file was
refused as a whole; the grade book is written only when the import ran.
"""

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from app.batches.schemas import BATCH_JOB, BatchOutcome
from app.batches.service import import_file
from app.commands import local, terminal
from app.commands.errors import CliError
from app.commands.gradebook import book_of, exported
from app.commands.progress import Bars
from app.commands.remote import POLL_S, Connect, Remote, chosen, job_result
from app.gradebook.schemas import Gradebook
from app.jobs.schemas import JobPublic
from app.jobs.service import never

FINISHED = ("done", "failed")
SHOWN_BAD_ROWS = 20
SHOWN_REASON_CHARS = 300


@dataclass(frozen=True, slots=True)
class Imported:
    """What an import ended with: its counts, how its evaluations ended, the grade book."""

    outcome: BatchOutcome
    evaluations: dict[str, str]
    """Evaluation job id -> done or failed."""
    book: Gradebook


def batch(args: argparse.Namespace, connect: Connect) -> None:
    """Import the class file (here, or on --server), then write the grade book to --out."""
    path = _class_file(args.file)
    out = terminal.writable(args.out)
    service = chosen(args, connect)
    with Bars() as bars:
        if service is None:
            imported = _embedded(args, path, bars)
        else:
            with service:
                imported = _remote(args, path, service, bars)
    _summary(terminal.out(), path, imported)
    try:
        terminal.write_atomically(out, exported(imported.book, args.format))
    except CliError as exc:
        raise CliError(f"{exc}; the grades are stored: `dlgrade gradebook` writes them") from None
    terminal.out().print(
        f"wrote {escape(str(out))} ({args.format}, {len(imported.book.rows)} students)"
    )


def _class_file(path: Path) -> Path:
    if not path.is_file():
        raise CliError(f"cannot read {path}: there is no such file")
    return path


def _embedded(args: argparse.Namespace, path: Path, bars: Bars) -> Imported:
    with local.running(args, grading=True) as services:
        outcome = import_file(
            services,
            local.units(services),
            path=path,
            filename=path.name,
            problem_set=args.problem_set,
            create_students=args.create_students,
            published_numbers=args.published_numbers,
            report=partial(_show_rows, bars),
            stopping=never,
            queue=services.jobs.submit,
        )
        _show_rows(bars, outcome)
        status = partial(local.job_status, services)
        evaluations = wait_for(outcome.evaluations, status, bars, pause=time.sleep)
        return Imported(outcome, evaluations, book_of(services, args.problem_set))


def _remote(args: argparse.Namespace, path: Path, service: Remote, bars: Bars) -> Imported:
    job_id = service.start_batch(
        args.problem_set,
        path,
        create_students=args.create_students,
        published_numbers=args.published_numbers,
    )
    outcome = _outcome(service.follow(job_id, partial(_show_job, bars)))
    status = partial(_remote_status, service)
    evaluations = wait_for(outcome.evaluations, status, bars, pause=service.pause)
    # The summary and the file come from one grade book, exported here as the service would.
    book_json = service.download(args.problem_set, "gradebook", format="json")
    try:
        book = Gradebook.model_validate_json(book_json)
    except ValueError:
        raise CliError("the service's grade book could not be read") from None
    return Imported(outcome, evaluations, book)


def _outcome(job: JobPublic) -> BatchOutcome:
    return job_result(job, BATCH_JOB, BatchOutcome, "import")


def _remote_status(service: Remote, job_id: str) -> str:
    return service.job(job_id).status


def _show_job(bars: Bars, job: JobPublic) -> None:
    if isinstance(job.result, BatchOutcome):
        _show_rows(bars, job.result)


def _show_rows(bars: Bars, outcome: BatchOutcome) -> None:
    bars.show("rows", done=outcome.done, total=outcome.total, failed=outcome.failed)


def wait_for(
    job_ids: list[str],
    status: Callable[[str], str],
    bars: Bars,
    *,
    pause: Callable[[float], None],
) -> dict[str, str]:
    """Poll the jobs until each is done or failed; job id -> how it ended."""
    ended: dict[str, str] = {}
    while True:
        for job_id in job_ids:
            if job_id not in ended and (now := status(job_id)) in FINISHED:
                ended[job_id] = now
        failed = sum(1 for how in ended.values() if how == "failed")
        if job_ids:
            bars.show("evaluations", done=len(ended), total=len(job_ids), failed=failed)
        if len(ended) == len(job_ids):
            return ended
        pause(POLL_S)


def _summary(console: Console, path: Path, imported: Imported) -> None:
    """The counts, the mean total and the first bad rows, for the instructor."""
    outcome = imported.outcome
    failed_evaluations = sum(1 for how in imported.evaluations.values() if how == "failed")
    lines = [
        f"{outcome.problem_set}: {outcome.total} rows read from {escape(path.name)}",
        f"  stored            {outcome.stored}",
        f"  unchanged         {outcome.unchanged}",
        f"  failed            {outcome.failed}",
        f"  students created  {outcome.created_students}",
        f"  evaluations       {len(outcome.evaluations)} ({failed_evaluations} failed)",
        f"  mean total        {_mean_total(imported.book)}",
    ]
    for line in lines:
        console.print(line)
    _bad_rows(console, outcome)


def _mean_total(book: Gradebook) -> str:
    totals = [row.total for row in book.rows if row.total is not None]
    if not totals:
        return "none (no student has a grade)"
    return f"{statistics.fmean(totals):.2f} of {book.max_total:g} ({len(totals)} students)"


def _bad_rows(console: Console, outcome: BatchOutcome) -> None:
    if outcome.failed == 0:
        return
    console.print("bad rows:")
    for bad in outcome.errors[:SHOWN_BAD_ROWS]:
        who = "" if bad.student is None else f" ({terminal.untrusted(bad.student)})"
        reason = terminal.untrusted(bad.reason, limit=SHOWN_REASON_CHARS)
        console.print(f"  line {bad.line}{who}: {reason}")
    hidden = outcome.failed - min(len(outcome.errors), SHOWN_BAD_ROWS)
    if hidden > 0:
        console.print(f"  and {hidden} more")
