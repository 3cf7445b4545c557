"""Reading a class file: JSONL, CSV, or a ZIP holding one of those and the model files its rows
name. Rows are checked one by one: a bad row is reported with its line and does not stop the
others; a file that cannot be read as a whole is refused with InvalidRequest."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from app.batches.schemas import BadRow

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
