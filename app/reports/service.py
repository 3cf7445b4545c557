"""The HTML report of a problem set, from its statistics."""

import re

from sqlalchemy.orm import Session

from app.reports.render import render_report
from app.services import Services
from app.stats.service import compute

UNSAFE_FILENAME_CHARS = re.compile(r"[^A-Za-z0-9._-]")


def report(services: Services, session: Session, problem_set: str) -> str:
    """The self-contained HTML report of a problem set's statistics."""
    return render_report(compute(services, session, problem_set))


def filename(problem_set: str) -> str:
    """The name a browser saves the report under; only plain characters survive."""
    return UNSAFE_FILENAME_CHARS.sub("_", problem_set) + "-report.html"
