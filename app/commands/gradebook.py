"""`dlgrade gradebook`: export a problem set's grade book as CSV, Canvas CSV or JSON."""

import argparse

from rich.markup import escape

from app.commands import local, terminal
from app.commands.remote import Connect, chosen
from app.db.engine import transaction
from app.gradebook.export import to_canvas_csv, to_csv
from app.gradebook.schemas import Gradebook
from app.gradebook.service import build
from app.services import Services


def export_gradebook(args: argparse.Namespace, connect: Connect) -> None:
    """Write the grade book (built locally, or by --server) to --out."""
    out = terminal.writable(args.out)
    service = chosen(args, connect)
    if service is None:
        with local.running(args, grading=False) as services:
            data = exported(book_of(services, args.problem_set), args.format)
    else:
        with service:
            data = service.download(args.problem_set, "gradebook", format=args.format)
    terminal.write_atomically(out, data)
    terminal.out().print(f"wrote {escape(str(out))} ({args.format}, {len(data)} bytes)")


def book_of(services: Services, problem_set: str) -> Gradebook:
    """The grade book as the database holds it now."""
    with transaction(services.sessions) as session:
        return build(services, session, problem_set)


def exported(book: Gradebook, format: str) -> bytes:
    """The grade book as a file's bytes, in one of choices.FORMATS."""
    if format == "json":
        return book.model_dump_json(indent=2).encode("utf-8")
    text = to_canvas_csv(book) if format == "canvas" else to_csv(book)
    return text.encode("utf-8")
