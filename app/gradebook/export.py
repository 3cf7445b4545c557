"""Grade-book exports as CSV: a plain table, and the layout Canvas's gradebook import reads.

Names and logins come from rosters and class files, so every text cell is defused: one that a
spreadsheet would read as a formula gets a leading apostrophe. Numbers are written plainly, to
at most 6 decimals, never with an exponent.
"""

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from app.gradebook.schemas import Gradebook, GradebookRow

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may take for the start of a formula (OWASP's list of CSV injection);
a compatibility form of one (fullwidth U+FF1D, small U+FE66, ...) counts as that one."""
CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_POSSIBLE = "Points Possible"
PLAIN_TAIL = ["total", "late", "submitted_at", "overridden"]
OVERRIDDEN_SEPARATOR = " "
"""Between the field ids of the last column, which lists the fields an override sets."""

Cell = str | float | bool | datetime | None


def to_csv(book: Gradebook) -> str:
    """One row per student: student_id, name, login, each question's score, total, late,
    submitted_at and the overridden fields; blank cells where nothing counts."""
    questions = [question.id for question in book.questions]
    header: list[Cell] = ["student_id", "name", "login", *questions, *PLAIN_TAIL]
    return _write([header, *(_plain_row(row, questions) for row in book.rows)])


def to_canvas_csv(book: Gradebook) -> str:
    """The CSV that Canvas's gradebook import reads: Student, ID, SIS User ID, SIS Login ID and
    Section, a column per question, one for the total and one listing the overridden fields,
    and a Points Possible row.

    Canvas matches a row to its student by ID, SIS User ID or SIS Login ID; only the login is
    known here, so it goes in SIS Login ID and a student without a login cannot be matched:
    give students their course logins before importing. Import either the question columns or
    the total (Canvas lets you ignore a column), or the course total counts the work twice;
    ignore the overridden fields too: they are a note for the instructor, not a grade.
    """
    titles = [f"{book.problem_set} {question.id} ({question.title})" for question in book.questions]
    total = f"{book.problem_set} total ({book.title})"
    header: list[Cell] = [*CANVAS_IDENTITY, *titles, total, f"{book.problem_set} overridden fields"]
    blank = [None] * (len(CANVAS_IDENTITY) - 1)
    points = [question.points for question in book.questions]
    rows: list[list[Cell]] = [header, [POINTS_POSSIBLE, *blank, *points, book.max_total, None]]
    for row in book.rows:
        scores = [row.scores.get(question.id) for question in book.questions]
        rows.append([row.name, None, None, row.login, None, *scores, row.total, _overridden(row)])
    return _write(rows)


def _plain_row(row: GradebookRow, questions: list[str]) -> list[Cell]:
    scores = [row.scores.get(question) for question in questions]
    late = None if row.total is None else row.late
    identity = [row.student_id, row.name, row.login]
    return [*identity, *scores, row.total, late, row.submitted_at, _overridden(row)]


def _overridden(row: GradebookRow) -> str:
    return OVERRIDDEN_SEPARATOR.join(row.overridden)


EXPORTS: dict[str, tuple[Callable[[Gradebook], str], str]] = {
    "csv": (to_csv, "gradebook"),
    "canvas": (to_canvas_csv, "canvas"),
}
"""Export format -> (writer, the file name's suffix)."""


def _write(rows: Iterable[Sequence[Cell]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return number(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return defused(value)


def number(value: float) -> str:
    """A number as a spreadsheet reads it back: no exponent, at most 6 decimals, no trailing
    zeros."""
    # Adding 0.0 turns a negative zero into zero, which would otherwise print as "-0".
    return f"{round(value, 6) + 0.0:.6f}".rstrip("0").rstrip(".")


def defused(text: str) -> str:
    """Text that no spreadsheet runs as a formula."""
    # A spreadsheet in an East Asian locale may read a fullwidth = (U+FF1D) as =; NFKC maps
    # it, and the other fullwidth and small forms, to the ASCII sign.
    first = unicodedata.normalize("NFKC", text[:1])
    return "'" + text if first.startswith(FORMULA_STARTS) else text
