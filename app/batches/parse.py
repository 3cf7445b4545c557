"""Reading a class file: JSONL, CSV, or a ZIP holding one of those and the model files its rows
name. Rows are checked one by one: a bad row is reported with its line and does not stop the
others; a file that cannot be read as a whole is refused with InvalidRequest."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath, PurePosixPath
from typing import Literal

from pydantic import TypeAdapter, ValidationError

from app.batches import archive
from app.batches.formats import RawRow, csv_rows, jsonl_rows, listed
from app.batches.schemas import BadRow
from app.checkpoints.envelope import EXTENSIONS
from app.errors import InvalidRequest, PayloadTooLarge
from app.grading.limits import MAX_ANSWER_CHARS
from app.untrusted import shown
from app.users.roster import decode_utf8
from app.users.schemas import Name, name_problem

MAX_ROWS = 5_000
MAX_CLASS_FILE_BYTES = 50_000_000
MAX_TIME_CHARS = 64
TEXT_FORMATS: dict[str, Literal["jsonl", "csv"]] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
}
ACCEPTED = (
    "Send a .jsonl (or .ndjson) file, a .csv file, or a .zip holding one of those "
    "and the model files its rows name."
)
_STUDENT = TypeAdapter(Name)

FieldKinds = Mapping[str, bool]
"""The problem set's field ids, each mapped to True when it is answered by a model upload."""


@dataclass(frozen=True, slots=True)
class ClassRow:
    """One student's work, as read from a good row."""

    line: int
    student: str
    """Who: matched against logins, then user ids, then names."""
    answers: dict[str, str]
    """Text answers by field id (fields left blank are absent)."""
    models: dict[str, str]
    """Upload field id -> the name of the model file inside the ZIP."""
    submitted_at: datetime | None
    """When the work was handed in (timezone-aware), if the row says."""


@dataclass(frozen=True, slots=True)
class ClassFile:
    """Everything read from a class file, good rows and bad."""

    format: Literal["jsonl", "csv", "zip"]
    rows: list[ClassRow]
    bad: list[BadRow]

    @property
    def total(self) -> int:
        """Rows in the file, good and bad."""
        return len(self.rows) + len(self.bad)


class _RowProblem(Exception):
    """Why a row cannot be imported, in words for the instructor."""


def read_class_file(path: Path, *, filename: str, fields: FieldKinds) -> ClassFile:
    """Every row of a class file, good and bad; InvalidRequest if it cannot be read as a whole."""
    if archive.is_zip(path):
        contents = archive.read_archive(path, max_class_bytes=MAX_CLASS_FILE_BYTES)
        kind = _text_format(contents.class_name)
        rows = _rows(kind, contents.class_data, fields)
        return checked_rows("zip", rows, fields, contents.files)
    return read_text_rows(_read_plain(path), filename=filename, fields=fields, files=None)


def read_text_rows(
    data: bytes,
    *,
    filename: str,
    fields: FieldKinds,
    files: Mapping[str, str] | None,
    where: str = "the ZIP",
) -> ClassFile:
    """The rows of a JSONL or CSV class file already read; `files` maps each name a row may
    give a model file by to where that file is (None: model files cannot be named), all of
    them in `where`."""
    kind = _text_format(filename)
    return checked_rows(kind, _rows(kind, data, fields), fields, files, where=where)


def read_model(path: Path, name: str, *, max_bytes: int) -> bytes:
    """The bytes of one model file of a class ZIP; PayloadTooLarge past `max_bytes`."""
    return archive.read_entry(path, name, max_bytes=max_bytes)


def _text_format(filename: str) -> Literal["jsonl", "csv"]:
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".zip":
        raise InvalidRequest(f"{shown(filename)} is not a valid ZIP archive. {ACCEPTED}")
    if suffix not in TEXT_FORMATS:
        raise InvalidRequest(f"{shown(filename)} is not a class file. {ACCEPTED}")
    return TEXT_FORMATS[suffix]


def _read_plain(path: Path) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(MAX_CLASS_FILE_BYTES + 1)
    if len(data) > MAX_CLASS_FILE_BYTES:
        raise PayloadTooLarge(
            f"The class file is larger than {MAX_CLASS_FILE_BYTES:,} bytes; "
            "split it into several imports."
        )
    return data


def _rows(kind: Literal["jsonl", "csv"], data: bytes, fields: FieldKinds) -> Iterable[RawRow]:
    text = decode_utf8(data, what="The class file")
    return jsonl_rows(text) if kind == "jsonl" else csv_rows(text, fields)


def checked_rows(
    kind: Literal["jsonl", "csv", "zip"],
    rows: Iterable[RawRow],
    fields: FieldKinds,
    files: Mapping[str, str] | None,
    *,
    where: str = "the ZIP",
) -> ClassFile:
    """Raw rows checked one by one into good and bad; InvalidRequest for none, or too many.
    `where` names what holds the model files, in the reasons."""
    checker = _Checker(fields, files, where)
    for raw in rows:
        if len(checker.rows) + len(checker.bad) == MAX_ROWS:
            raise InvalidRequest(
                f"A class file holds at most {MAX_ROWS:,} rows; split this one into several."
            )
        checker.add(raw)
    if not checker.rows and not checker.bad:
        raise InvalidRequest("The class file holds no rows: add one row per student.")
    return ClassFile(kind, checker.rows, checker.bad)


class _Checker:
    """Checks raw rows one by one into good rows and bad; one row per student."""

    def __init__(self, fields: FieldKinds, files: Mapping[str, str] | None, where: str) -> None:
        self.fields = fields
        self.files = files
        self.where = where
        """Names a row may give a model file by -> entry name; None outside a ZIP."""
        self.lines: dict[str, int] = {}
        self.rows: list[ClassRow] = []
        self.bad: list[BadRow] = []

    def add(self, raw: RawRow) -> None:
        """Check one row and keep it as good or bad."""
        student = None
        try:
            if raw.problem is not None and raw.student is None:
                raise _RowProblem(raw.problem)
            student = _student(raw.student)
            self._first_row_of(student, raw.line)
            if raw.problem is not None:
                raise _RowProblem(raw.problem)
            self.rows.append(self._row(raw, student))
        except _RowProblem as problem:
            self.bad.append(BadRow(line=raw.line, student=student, reason=str(problem)))

    def _first_row_of(self, student: str, line: int) -> None:
        if student in self.lines:
            raise _RowProblem(
                f"the student {shown(student)} is already on line {self.lines[student]}; "
                "give each student one row"
            )
        self.lines[student] = line

    def _row(self, raw: RawRow, student: str) -> ClassRow:
        given = self._answers(raw.answers)
        answers = {field: text for field, text in given.items() if not self.fields[field]}
        models = {
            field: self._model(field, text) for field, text in given.items() if self.fields[field]
        }
        if not answers and not models:
            raise _RowProblem("the row answers nothing")
        return ClassRow(raw.line, student, answers, models, _submitted_at(raw.submitted_at))

    def _answers(self, value: object) -> dict[str, str]:
        """The answers given (blank ones are not), once every key and value is checked."""
        if not isinstance(value, Mapping):
            raise _RowProblem("the answers must be an object mapping field ids to text")
        unknown = [str(field) for field in value if field not in self.fields]
        if unknown:
            raise _RowProblem(
                f"unknown field ids {listed(unknown)}; the fields are: {', '.join(self.fields)}"
            )
        not_text = [field for field, text in value.items() if not isinstance(text, str)]
        if not_text:
            raise _RowProblem(f"the answers to {listed(not_text)} are not text")
        too_long = [field for field, text in value.items() if len(text) > MAX_ANSWER_CHARS]
        if too_long:
            raise _RowProblem(
                f"the answers to {listed(too_long)} are longer than {MAX_ANSWER_CHARS:,} characters"
            )
        return {field: text for field, text in value.items() if text.strip()}

    def _model(self, field: str, text: str) -> str:
        """The archive entry an upload field's answer names."""
        if self.files is None:
            raise _RowProblem(
                f"{field} is answered by a model file, and model files need a ZIP: send the "
                "class file and the model files together in one .zip"
            )
        name = text.strip()
        while name.startswith("./"):
            name = name[2:]
        if PurePosixPath(name).suffix.lower() not in EXTENSIONS:
            raise _RowProblem(
                f"the answer to {field} must name a model file in the ZIP "
                f"({', '.join(EXTENSIONS)}); {shown(text)} is not one"
            )
        if name not in self.files:
            raise _RowProblem(f"{self.where} holds no file {shown(name)} (the answer to {field})")
        return self.files[name]


def _student(value: object) -> str:
    if value is None:
        raise _RowProblem("the row names no student")
    if not isinstance(value, str):
        raise _RowProblem("the student must be text")
    try:
        return _STUDENT.validate_python(value)
    except ValidationError as exc:
        raise _RowProblem(name_problem(exc, what="the student")) from None


def _submitted_at(value: object) -> datetime | None:
    """When the work was handed in: an ISO-8601 time with its timezone, or None if not given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or len(value) > MAX_TIME_CHARS:
        raise _RowProblem("submitted_at must be an ISO-8601 time such as 2026-11-02T14:30:00Z")
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _RowProblem(
            f"submitted_at {shown(value)} is not an ISO-8601 time such as 2026-11-02T14:30:00Z"
        ) from None
    if when.utcoffset() is None:
        raise _RowProblem(
            f"submitted_at {shown(value)} has no timezone; add Z (UTC) or an offset like +01:00"
        )
    return when
