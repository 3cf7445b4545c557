"""`dlgrade report`: the answer statistics of a problem set as one self-contained HTML file."""

import argparse

from rich.markup import escape

from app.commands import local, terminal
from app.commands.remote import Connect, chosen
from app.db.engine import transaction
from app.reports.service import report


def write_report(args: argparse.Namespace, connect: Connect) -> None:
    """Build the report (locally, or on --server) and write it to --out."""
    out = terminal.writable(args.out)
    service = chosen(args, connect)
    if service is None:
        html = _built(args).encode("utf-8")
    else:
        with service:
            html = service.download(args.problem_set, "report")
    terminal.write_atomically(out, html)
    terminal.out().print(f"wrote {escape(str(out))} ({len(html)} bytes)")


def _built(args: argparse.Namespace) -> str:
    with local.running(args, grading=False) as services:
        with transaction(services.sessions) as session:
            return report(services, session, args.problem_set)
