"""The two text formats of a class file, read into raw rows that nothing has checked yet.

JSONL: one object per line, `{"student": ..., "answers": {field id: text}, "submitted_at": ...}`;
blank lines are skipped but counted. CSV: a header row with a `student` column, an optional
`submitted_at` column and one column per field id; rows are numbered as a spreadsheet shows
them. A line that is not a row object is a raw row with a problem; a CSV file whose header or
quoting cannot be trusted is refused as a whole.
"""

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from app.errors import InvalidRequest
from app.untrusted import LongNumber, RepeatedKey, shown, strict_json
from app.users.roster import Record, csv_records

MAX_LINE_CHARS = 1_000_000
STUDENT = "student"
ANSWERS = "answers"
SUBMITTED_AT = "submitted_at"
ROW_KEYS = (STUDENT, ANSWERS, SUBMITTED_AT)
CSV_COLUMNS = (STUDENT, SUBMITTED_AT)
NAMED_AT_MOST = 5


@dataclass(frozen=True, slots=True)
class RawRow:
    """A row as the file holds it: every value untrusted and unchecked."""

    line: int
    student: object
    answers: object
    submitted_at: object
    problem: str | None = None
    """Why the row cannot be used, when that is known from its shape alone."""


def listed(names: list[str]) -> str:
    """A few untrusted names, shown safely, and how many more there are."""
    shown_names = ", ".join(shown(name) for name in names[:NAMED_AT_MOST])
    more = len(names) - NAMED_AT_MOST
    return shown_names + (f" and {more} more" if more > 0 else "")


def jsonl_rows(text: str) -> Iterator[RawRow]:
    """A raw row for every non-blank line, numbered from 1."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield _jsonl_row(number, line.removesuffix("\r"))


def _jsonl_row(number: int, line: str) -> RawRow:
    if len(line) > MAX_LINE_CHARS:
        return _unreadable(number, f"the line is longer than {MAX_LINE_CHARS:,} characters")
    try:
        value = strict_json(line)
    except RepeatedKey as exc:
        return _unreadable(number, str(exc))
    except json.JSONDecodeError as exc:
        return _unreadable(number, f"the line is not valid JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return _unreadable(number, "the line's JSON is nested too deeply")
    except LongNumber:
        return _unreadable(number, "the line holds a number with too many digits")
    if not isinstance(value, dict):
        return _unreadable(
            number, 'each line must be one JSON object: {"student": ..., "answers": {...}}'
        )
    return _object_row(number, value)


def _object_row(number: int, value: dict[str, Any]) -> RawRow:
    unknown = [key for key in value if key not in ROW_KEYS]
    problem = None
    if unknown:
        problem = (
            f"unknown keys {listed(unknown)}; a row has {STUDENT!r}, {ANSWERS!r} and, "
            f"optionally, {SUBMITTED_AT!r}"
        )
    return RawRow(number, value.get(STUDENT), value.get(ANSWERS), value.get(SUBMITTED_AT), problem)


def _unreadable(number: int, problem: str) -> RawRow:
    return RawRow(number, None, None, None, problem)


@dataclass(frozen=True, slots=True)
class _Header:
    """Where each column of a class CSV is."""

    student: int
    submitted_at: int | None
    answers: dict[int, str]
    """Column index -> field id."""

    def row(self, line: int, cells: list[str]) -> RawRow:
        """The raw row of one record."""
        named = {self.student, self.submitted_at, *self.answers}
        stray = [index for index, cell in enumerate(cells) if cell.strip() and index not in named]
        problem = None
        if stray:
            problem = f"column {stray[0] + 1} holds text but has no name in the header row"
        answers = {field: _cell(cells, index) for index, field in self.answers.items()}
        submitted_at = None if self.submitted_at is None else _cell(cells, self.submitted_at)
        return RawRow(line, _cell(cells, self.student), answers, submitted_at, problem)


def csv_rows(text: str, fields: Mapping[str, bool]) -> Iterator[RawRow]:
    """A raw row for every non-blank record under the header."""
    records = csv_records(text, unit="line")
    header = _header(records, fields)
    for line, cells in records:
        yield header.row(line, cells)


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _header(records: Iterator[Record], fields: Mapping[str, bool]) -> _Header:
    """The columns of the header, the first non-blank record; refuses a header it cannot use."""
    first = next(records, None)
    if first is None:
        raise InvalidRequest(
            f"The class file is empty: it needs a header row with a {STUDENT!r} column and "
            "a column per field id."
        )
    line, cells = first
    columns = _columns(line, cells)
    if STUDENT not in columns:
        raise InvalidRequest(
            f"The header row (line {line}) has no column called {STUDENT!r}; it has: "
            f"{listed(list(columns))}. Columns are separated by commas.",
            fields=[f"line {line}"],
        )
    unknown = [name for name in columns if name not in fields and name not in CSV_COLUMNS]
    if unknown:
        raise InvalidRequest(
            f"The header row (line {line}) has columns that are not fields of the problem set: "
            f"{listed(unknown)}. The columns are {STUDENT!r}, optionally {SUBMITTED_AT!r}, "
            f"and field ids: {', '.join(fields)}.",
            fields=[f"line {line}"],
        )
    answers = {index: name for name, index in columns.items() if name in fields}
    return _Header(columns[STUDENT], columns.get(SUBMITTED_AT), answers)


def _columns(line: int, cells: list[str]) -> dict[str, int]:
    """Column name -> index, for the named columns of the header row."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = cell.strip()
        if name.lower() in CSV_COLUMNS:
            name = name.lower()
        if not name:
            continue
        if name in columns:
            raise InvalidRequest(
                f"The header row (line {line}) names the column {shown(name)} twice; keep one.",
                fields=[f"line {line}"],
            )
        columns[name] = index
    return columns
