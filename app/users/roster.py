"""Reading a class roster: a UTF-8 CSV whose header row has a `name` column.

Rows are numbered as a spreadsheet shows them: the header is row 1 when it comes first, blank
rows count, and a quoted cell with line breaks stays in one row. Any bad row refuses the file.
"""

import csv
import io
from collections.abc import Iterator

from pydantic import ValidationError

from app.errors import InvalidRequest
from app.untrusted import shown
from app.users.schemas import StudentCreate, name_problem

MAX_ROWS = 2_000
NAME_COLUMN = "name"
REPORTED_ROWS = 5

Record = tuple[int, list[str]]


def parse_roster(body: bytes) -> list[StudentCreate]:
    """The students a CSV roster lists, in order; InvalidRequest names every bad row."""
    records = _records(_decode(body))
    name_column = _name_column(records)
    students: list[StudentCreate] = []
    problems: list[tuple[int, str]] = []
    for row, cells in records:
        if len(students) + len(problems) == MAX_ROWS:
            raise InvalidRequest(
                f"A roster holds at most {MAX_ROWS} students; split this one into several imports."
            )
        name = cells[name_column] if name_column < len(cells) else ""
        try:
            students.append(StudentCreate(name=name))
        except ValidationError as exc:
            problems.append((row, name_problem(exc)))
    if problems:
        raise _bad_rows(problems)
    if not students:
        raise InvalidRequest("The roster lists no students: add one name per row under the header.")
    return students


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise InvalidRequest(
            f"The roster is not UTF-8 text: byte {exc.start + 1} (line {line}) cannot be read. "
            "Save it as CSV UTF-8.",
            fields=[f"line {line}"],
        ) from exc


def _records(text: str) -> Iterator[Record]:
    """Non-blank records with their row numbers; a malformed one stops the reading."""
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
                f"Row {row} is not valid CSV ({exc}); check its quotes.", fields=[f"row {row}"]
            ) from exc
        if any(cell.strip() for cell in cells):
            yield row, cells


def _name_column(records: Iterator[Record]) -> int:
    """The index of the `name` column in the header, the first non-blank row."""
    header = next(records, None)
    if header is None:
        raise InvalidRequest("The roster is empty: it needs a header row with a name column.")
    row, cells = header
    columns = [index for index, cell in enumerate(cells) if cell.strip().lower() == NAME_COLUMN]
    if len(columns) > 1:
        raise InvalidRequest(
            f"The header row names the column {NAME_COLUMN!r} {len(columns)} times; keep one.",
            fields=[f"row {row}"],
        )
    if not columns:
        found = ", ".join(shown(cell) for cell in cells[:10])
        raise InvalidRequest(
            f"The header row (row {row}) has no column called {NAME_COLUMN!r}; it has: {found}. "
            "Columns are separated by commas.",
            fields=[f"row {row}"],
        )
    return columns[0]


def _bad_rows(problems: list[tuple[int, str]]) -> InvalidRequest:
    listed = "; ".join(f"row {row}: {reason}" for row, reason in problems[:REPORTED_ROWS])
    more = len(problems) - REPORTED_ROWS
    suffix = f" (and {more} more rows)" if more > 0 else ""
    return InvalidRequest(
        f"Nothing was imported; fix these rows and send the roster again. {listed}{suffix}.",
        fields=[f"row {row}" for row, _ in problems],
    )
