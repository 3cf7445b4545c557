"""A bounded memo of field grades, per process: at a deadline a class types the same answers.

An answer's grade depends only on the field as compiled and the exact text, so it is keyed by
the catalog's fingerprint (a digest of every problem file: a reload that changes them starts
afresh), the problem set, the field, the values of the parameters the field reads in the
student's variant, and the text.
"""

from collections import OrderedDict
from threading import Lock
from typing import NamedTuple

from app.grading.result import FieldResult

MEMO_ENTRIES = 2048
MEMO_ENTRY_CHARS = 4000
"""The most characters of answer, variant and grade text one entry may hold; larger ones are
graded every time."""


class MemoKey(NamedTuple):
    """What one answer's grade depends on."""

    fingerprint: str
    problem_set: str
    field_id: str
    variant: str
    answer: str


class GradeMemo:
    """The latest grades of at most `entries` answers, each at most `entry_chars` long."""

    def __init__(self, *, entries: int = MEMO_ENTRIES, entry_chars: int = MEMO_ENTRY_CHARS) -> None:
        self.entries = entries
        self.entry_chars = entry_chars
        self._grades: OrderedDict[MemoKey, FieldResult] = OrderedDict()
        self._fingerprint = ""
        self._lock = Lock()

    def __len__(self) -> int:
        return len(self._grades)

    def get(self, key: MemoKey) -> FieldResult | None:
        """A copy of the grade kept for the key, or None."""
        with self._lock:
            grade = self._grades.get(key)
            if grade is None:
                return None
            self._grades.move_to_end(key)
        return grade.model_copy()

    def put(self, key: MemoKey, grade: FieldResult) -> None:
        """Keep a grade, unless it is too large; the least recently used one makes room."""
        if _chars(key, grade) > self.entry_chars:
            return
        with self._lock:
            if key.fingerprint != self._fingerprint:
                # Other problem files: nothing kept so far can be served again.
                self._grades.clear()
                self._fingerprint = key.fingerprint
            self._grades[key] = grade.model_copy()
            self._grades.move_to_end(key)
            while len(self._grades) > self.entries:
                self._grades.popitem(last=False)


def _chars(key: MemoKey, grade: FieldResult) -> int:
    texts = (key.answer, key.variant, key.field_id, grade.feedback, grade.parsed, grade.note)
    return sum(len(text) for text in texts if text is not None)
