"""An import's counts as it goes, and its bad rows in words an instructor can act on."""

import bisect
from typing import Literal

from app.batches.parse import ClassRow
from app.batches.schemas import MAX_REPORTED_ERRORS, BadRow, BatchOutcome
from app.untrusted import shown
from app.users.schemas import MAX_NAME_CHARS


class Tally:
    """An import's counts as it goes, and the first bad rows by line."""

    def __init__(self, problem_set: str, format: Literal["jsonl", "csv", "zip"], total: int):
        self.problem_set = problem_set
        self.format = format
        self.total = total
        self.stored = 0
        self.unchanged = 0
        self.failed = 0
        self.created_students = 0
        self.evaluations: list[str] = []
        self.errors: list[BadRow] = []

    def fail(self, bad: BadRow) -> None:
        """Count a bad row; only the first MAX_REPORTED_ERRORS by line are kept."""
        self.failed += 1
        bisect.insort(self.errors, bad, key=lambda row: row.line)
        del self.errors[MAX_REPORTED_ERRORS:]

    def outcome(self) -> BatchOutcome:
        """The result so far."""
        return BatchOutcome(
            problem_set=self.problem_set,
            format=self.format,
            total=self.total,
            done=self.stored + self.unchanged + self.failed,
            stored=self.stored,
            unchanged=self.unchanged,
            failed=self.failed,
            created_students=self.created_students,
            evaluations=list(self.evaluations),
            errors=list(self.errors),
        )


def bad_row(row: ClassRow, reason: str) -> BadRow:
    """A good row of the file that turned out bad on import, and why."""
    return BadRow(line=row.line, student=shown(row.student, limit=MAX_NAME_CHARS), reason=reason)
