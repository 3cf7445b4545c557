"""`dlgrade regrade`: grade every stored submission of a problem set again with the problem file
as it is now, and print whose grade changed."""

import argparse
from functools import partial

from rich.console import Console
from rich.table import Table

from app.commands import local, terminal
from app.commands.progress import Bars
from app.commands.remote import Connect, Remote, chosen, job_result
from app.jobs.schemas import JobPublic
from app.jobs.service import never
from app.regrade.schemas import REGRADE_JOB, FieldChange, RegradeOutcome
from app.regrade.service import regrade as regrade_all

STAGE = "regrade (%)"
SHOWN_HASH_CHARS = 12


def regrade(args: argparse.Namespace, connect: Connect) -> None:
    """Regrade (here, or on --server) and print the students whose grade changed."""
    service = chosen(args, connect)
    with Bars() as bars:
        if service is None:
            outcome = _embedded(args, bars)
        else:
            with service:
                outcome = _remote(args.problem_set, service, bars)
    show(terminal.out(), outcome)


def _embedded(args: argparse.Namespace, bars: Bars) -> RegradeOutcome:
    # This process has just loaded the problem files, so they are the current ones already.
    with local.running(args, grading=True) as services:
        return regrade_all(
            services,
            local.units(services),
            args.problem_set,
            report=partial(_show_share, bars),
            stopping=never,
        )


def _remote(problem_set: str, service: Remote, bars: Bars) -> RegradeOutcome:
    job = service.follow(service.start_regrade(problem_set), partial(_show_job, bars))
    return job_result(job, REGRADE_JOB, RegradeOutcome, "regrade")


def _show_job(bars: Bars, job: JobPublic) -> None:
    _show_share(bars, job.progress)


def _show_share(bars: Bars, share: float) -> None:
    bars.show(STAGE, done=round(100 * min(max(share, 0.0), 1.0)), total=100)


def show(console: Console, outcome: RegradeOutcome) -> None:
    """What the regrade used, its counts, and a table of the students whose grade changed."""
    console.print(
        f"{outcome.problem_set}: {outcome.submissions} submissions regraded, "
        f"{outcome.changed_submissions} changed; {len(outcome.students)} students' grades changed"
    )
    console.print(
        f"  engine {terminal.untrusted(outcome.engine_version)}, "
        f"problem file {outcome.problem_hash[:SHOWN_HASH_CHARS]}, "
        f"reference code {outcome.reference_hash[:SHOWN_HASH_CHARS]}"
    )
    if outcome.students:
        console.print(_table(outcome))
    for item in outcome.beneath_overrides:
        console.print(
            f"  beneath an override, {terminal.untrusted(item.name)} "
            f"{terminal.untrusted(item.field)}: automatic {_score(item.old)} -> "
            f"{_score(item.new)}, override {_score(item.override)} stays"
        )


def _table(outcome: RegradeOutcome) -> Table:
    table = Table("student", "login", "old", "new", "changed fields")
    for student in outcome.students:
        table.add_row(
            terminal.untrusted(student.name),
            "" if student.login is None else terminal.untrusted(student.login),
            _score(student.old_score),
            _score(student.new_score),
            ", ".join(_change(change) for change in student.fields),
        )
    return table


def _change(change: FieldChange) -> str:
    return f"{terminal.untrusted(change.field)} {_score(change.old)} -> {_score(change.new)}"


def _score(score: float | None) -> str:
    return "-" if score is None else f"{score:g}"
