"""Reading a class roster: a UTF-8 CSV whose header row has a `name` column and, optionally, a
`login` column (the student's id in the course's own records).

Rows are numbered as a spreadsheet shows them: the header is row 1 when it comes first, blank
rows count, and a quoted cell with line breaks stays in one row. Any bad row refuses the file.
The decoding and row numbering are shared with class files (app/batches).
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import ValidationError

from app.errors import InvalidRequest
from app.untrusted import shown
from app.users.schemas import StudentCreate, name_problem

MAX_ROWS = 2_000
NAME_COLUMN = "name"
LOGIN_COLUMN = "login"
REPORTED_ROWS = 5

Record = tuple[int, list[str]]


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One student of a roster and the row that lists them."""

    row: int
    student: StudentCreate


@dataclass(frozen=True, slots=True)
class _Columns:
    name: int
    login: int | None


def parse_roster(body: bytes) -> list[RosterEntry]:
    """The students a CSV roster lists, in order; InvalidRequest names every bad row."""
    records = csv_records(decode_utf8(body, what="The roster"), unit="row")
    columns = _columns(records)
    entries: list[RosterEntry] = []
    problems: list[tuple[int, str]] = []
    logins: dict[str, int] = {}
    for row, cells in records:
        if len(entries) + len(problems) == MAX_ROWS:
            raise InvalidRequest(
                f"A roster holds at most {MAX_ROWS} students; split this one into several imports."
            )
        try:
            student = _student(cells, columns)
        except ValidationError as exc:
            problems.append((row, name_problem(exc)))
            continue
        if student.login is not None and student.login in logins:
            login = shown(student.login)
            problems.append((row, f"the login {login} is already on row {logins[student.login]}"))
            continue
        if student.login is not None:
            logins[student.login] = row
        entries.append(RosterEntry(row, student))
    if problems:
        raise _bad_rows(problems)
    if not entries:
        raise InvalidRequest("The roster lists no students: add one name per row under the header.")
    return entries


def decode_utf8(body: bytes, *, what: str) -> str:
    """The body as text (a UTF-8 BOM allowed); InvalidRequest names the line that is not."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise InvalidRequest(
            f"{what} is not UTF-8 text: byte {exc.start + 1} (line {line}) cannot be read. "
            "Save it as UTF-8 (from a spreadsheet: CSV UTF-8).",
            fields=[f"line {line}"],
        ) from exc


def csv_records(text: str, *, unit: str) -> Iterator[Record]:
    """Non-blank records with their row numbers; a malformed one stops the reading."""
    # The csv module's field size limit (128 KiB unless changed) bounds every cell.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    row = 0
    while True:
        row += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidRequest(
                f"{unit.capitalize()} {row} is not valid CSV ({exc}); check its quotes.",
                fields=[f"{unit} {row}"],
            ) from exc
        if any(cell.strip() for cell in cells):
            yield row, cells


def _student(cells: list[str], columns: _Columns) -> StudentCreate:
    login = None if columns.login is None else _cell(cells, columns.login)
    return StudentCreate(name=_cell(cells, columns.name), login=login)


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _columns(records: Iterator[Record]) -> _Columns:
    """Where the `name` and `login` columns are in the header, the first non-blank row."""
    header = next(records, None)
    if header is None:
        raise InvalidRequest("The roster is empty: it needs a header row with a name column.")
    row, cells = header
    name = _column(row, cells, NAME_COLUMN)
    if name is None:
        found = ", ".join(shown(cell) for cell in cells[:10])
        raise InvalidRequest(
            f"The header row (row {row}) has no column called {NAME_COLUMN!r}; it has: {found}. "
            "Columns are separated by commas.",
            fields=[f"row {row}"],
        )
    return _Columns(name=name, login=_column(row, cells, LOGIN_COLUMN))


def _column(row: int, cells: list[str], wanted: str) -> int | None:
    columns = [index for index, cell in enumerate(cells) if cell.strip().lower() == wanted]
    if len(columns) > 1:
        raise InvalidRequest(
            f"The header row names the column {wanted!r} {len(columns)} times; keep one.",
            fields=[f"row {row}"],
        )
    return columns[0] if columns else None


def _bad_rows(problems: list[tuple[int, str]]) -> InvalidRequest:
    listed = "; ".join(f"row {row}: {reason}" for row, reason in problems[:REPORTED_ROWS])
    more = len(problems) - REPORTED_ROWS
    suffix = f" (and {more} more rows)" if more > 0 else ""
    return InvalidRequest(
        f"Nothing was imported; fix these rows and send the roster again. {listed}{suffix}.",
        fields=[f"row {row}" for row, _ in problems],
    )
