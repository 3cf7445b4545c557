"""`dlgrade rules export`: a problem set's answer rules as a problem-file fragment that, folded
into the file's fields, grades as the rules do."""

import argparse
import sys

from rich.markup import escape

from app.commands import local, terminal
from app.commands.remote import Connect, chosen
from app.db.engine import transaction
from app.rules import service as rules


def export_rules(args: argparse.Namespace, connect: Connect) -> None:
    """Write the rules (of the local database, or of --server) to --out or standard output."""
    service = chosen(args, connect)
    if service is None:
        with local.running(args, grading=False) as services:
            with transaction(services.sessions) as session:
                data = rules.exported(services, session, args.problem_set).encode("utf-8")
    else:
        with service:
            data = service.download(args.problem_set, "rules/export")
    if args.out is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    out = terminal.writable(args.out)
    terminal.write_atomically(out, data)
    terminal.out().print(f"wrote {escape(str(out))} ({len(data)} bytes)")
