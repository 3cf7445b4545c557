"""Reading /autograder/submission: one answers file and the model files it names.

The answers file is either a JSON document, `{"answers": {field id: text}}` as the API takes
and `dlgrade grade` reads (with an optional `"checkpoints": {field id: {options}}` giving a
model's preprocessing, architecture and claimed accuracies), or a class file of one row (CSV
or JSONL, read as `dlgrade batch` reads it). An upload field is answered by the path of a model
file in the submission. Links, pipes and devices are never followed or opened; the walk is
bounded in depth and in entries, and every file is read within a size bound.
"""

import itertools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pydantic import ValidationError

from app.batches.formats import RawRow
from app.batches.parse import ClassFile, ClassRow, FieldKinds, checked_rows, read_text_rows
from app.checkpoints.envelope import EXTENSIONS
from app.checkpoints.schemas import CheckpointCreate
from app.errors import InvalidSubmission
from app.gradescope.files import read_bounded
from app.untrusted import UnreadableJson, read_json, shown
from app.users.roster import decode_utf8

MAX_ANSWERS_BYTES = 1_000_000
MAX_ENTRIES = 500
MAX_DEPTH = 8
MAX_NOTES = 10
JSON_KEYS = ("answers", "checkpoints")
ROW_SUFFIXES = (".csv", ".jsonl", ".ndjson")
ANSWER_SUFFIXES = (".json", *ROW_SUFFIXES)
HOW = (
    'Upload one answers file: answers.json holding {"answers": {"q1.a": "..."}}, or a CSV or '
    "JSONL file of one row; an upload field's answer names its model file."
)
WHERE = "the submission"
STUDENT = "gradescope"
"""The `student` of a JSON document's row: who submitted is read from the metadata."""


@dataclass(frozen=True, slots=True)
class SubmittedWork:
    """What the submission answers: text by field, model files by field, their options."""

    source: str
    answers: dict[str, str]
    models: dict[str, Path]
    options: dict[str, CheckpointCreate]
    notes: list[str] = field(default_factory=list)
    """What was passed over (links, files past the bound), for the student to see."""


@dataclass
class _Listing:
    """The plain files of the submission by their path in it, and what was passed over."""

    files: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seen: int = 0

    def note(self, text: str) -> None:
        """Keep a note for the student, once, and no more than a few."""
        if text not in self.notes and len(self.notes) < MAX_NOTES:
            self.notes.append(text)


def read_submission(directory: Path, fields: FieldKinds) -> SubmittedWork:
    """The work in the submission directory; InvalidSubmission says what to fix."""
    listing = _Listing()
    _walk(directory, PurePosixPath(), listing, depth=0)
    source = _answers_file(listing)
    models = {name: str(path) for name, path in listing.files.items() if _is_model(name)}
    data = read_bounded(listing.files[source], max_bytes=MAX_ANSWERS_BYTES, what="The file")
    if PurePosixPath(source).suffix.lower() in ROW_SUFFIXES:
        row_file = read_text_rows(data, filename=source, fields=fields, files=models, where=WHERE)
        options: dict[str, CheckpointCreate] = {}
    else:
        row_file, options = _json_answers(data, source, fields, models)
    return _work(source, _one_row(row_file, source), options, listing.notes)


def _walk(directory: Path, relative: PurePosixPath, listing: _Listing, *, depth: int) -> None:
    try:
        with os.scandir(directory) as iterator:
            # Read no more entries than may be looked at, however many the folder holds.
            entries = list(itertools.islice(iterator, MAX_ENTRIES + 1 - listing.seen))
    except OSError as exc:
        raise InvalidSubmission(f"The submission cannot be read: {exc.strerror}.") from None
    for entry in sorted(entries, key=lambda entry: entry.name):
        if listing.seen == MAX_ENTRIES:
            listing.note(f"Only the first {MAX_ENTRIES} entries were looked at.")
            return
        listing.seen += 1
        _visit(entry, relative / entry.name, listing, depth=depth)


def _visit(
    entry: "os.DirEntry[str]", name: PurePosixPath, listing: _Listing, *, depth: int
) -> None:
    if entry.name.startswith(".") or entry.name == "__MACOSX":
        return
    if entry.is_symlink():
        listing.note(f"{shown(str(name))} is a link and was not followed.")
    elif entry.is_dir(follow_symlinks=False):
        if depth + 1 < MAX_DEPTH:
            _walk(Path(entry.path), name, listing, depth=depth + 1)
    elif entry.is_file(follow_symlinks=False):
        listing.files[str(name)] = Path(entry.path)


def _is_model(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in EXTENSIONS


def _answers_file(listing: _Listing) -> str:
    found = [
        name for name in listing.files if PurePosixPath(name).suffix.lower() in ANSWER_SUFFIXES
    ]
    if not found:
        why = ["The submission holds no answers file.", *listing.notes, HOW]
        raise InvalidSubmission(" ".join(why))
    if len(found) > 1:
        names = ", ".join(shown(name) for name in found[:5])
        raise InvalidSubmission(f"The submission holds several answers files ({names}). {HOW}")
    return found[0]


def _json_answers(
    data: bytes, source: str, fields: FieldKinds, models: Mapping[str, str]
) -> tuple[ClassFile, dict[str, CheckpointCreate]]:
    """The JSON document's one row, and the options it gives its model files."""
    what = shown(source)
    try:
        document = read_json(decode_utf8(data, what=what), what=what)
    except UnreadableJson as exc:
        raise InvalidSubmission(f"{exc}. {HOW}") from None
    if not isinstance(document, dict) or not isinstance(document.get("answers"), dict):
        raise InvalidSubmission(f'{what} must hold an object {{"answers": {{...}}}}. {HOW}')
    unknown = [shown(str(key)) for key in document if key not in JSON_KEYS]
    if unknown:
        raise InvalidSubmission(f"{what} has unknown keys {', '.join(unknown[:5])}. {HOW}")
    row = RawRow(1, STUDENT, document["answers"], None)
    options = _model_options(document.get("checkpoints", {}), fields)
    return checked_rows("jsonl", [row], fields, models, where=WHERE), options


def _model_options(value: object, fields: FieldKinds) -> dict[str, CheckpointCreate]:
    """Each upload field's declared options and claims, checked as the upload form is."""
    if not isinstance(value, dict) or len(value) > len(fields):
        raise InvalidSubmission('"checkpoints" maps upload field ids to their options.')
    options = {}
    for field_id, given in value.items():
        if not fields.get(field_id):
            raise InvalidSubmission(f"{shown(field_id)} in checkpoints is not an upload field.")
        if not isinstance(given, dict):
            raise InvalidSubmission(f"The options of {field_id} must be an object.")
        options[field_id] = _options(field_id, given)
    return options


def _options(field_id: str, given: dict[str, object]) -> CheckpointCreate:
    try:
        return CheckpointCreate.model_validate({**given, "field": field_id})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, error['loc'])) or 'options'}: {error['msg']}"
            for error in exc.errors()[:5]
        )
        raise InvalidSubmission(f"The options of {field_id} are not valid: {problems}.") from None


def _one_row(row_file: ClassFile, source: str) -> ClassRow:
    """The file's only row; InvalidSubmission says why it cannot be graded."""
    if row_file.total != 1:
        raise InvalidSubmission(
            f"{shown(source)} holds {row_file.total} rows; a submission is one row. {HOW}"
        )
    if row_file.bad:
        raise InvalidSubmission(f"{shown(source)}: {row_file.bad[0].reason}.")
    return row_file.rows[0]


def _work(
    source: str, row: ClassRow, options: dict[str, CheckpointCreate], notes: list[str]
) -> SubmittedWork:
    models = {field_id: Path(path) for field_id, path in row.models.items()}
    forms = {
        field_id: options.get(field_id, CheckpointCreate(field=field_id)) for field_id in models
    }
    return SubmittedWork(source, row.answers, models, forms, notes)
