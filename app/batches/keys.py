"""Batch keys: digests of what a row handed in, so that an import run again, resumed or racing
another finds the work already stored and stores nothing twice."""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from app.batches.parse import ClassRow


def batch_key(**parts: Any) -> str:
    """The digest of what a row handed in, over a canonical JSON of its parts."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def text_key(problem_set: str, user_id: str, row: ClassRow, *, published: bool) -> str:
    """The key of a row's text answers, graded on the published numbers or the student's own."""
    return batch_key(
        problem_set=problem_set,
        user=user_id,
        answers=sorted(row.answers.items()),
        published=published,
        submitted_at=_moment(row.submitted_at),
    )


def model_key(problem_set: str, user_id: str, row: ClassRow, field_id: str, data: bytes) -> str:
    """The key of a model file a row hands in for one upload field."""
    return batch_key(
        problem_set=problem_set,
        user=user_id,
        field=field_id,
        model_sha256=hashlib.sha256(data).hexdigest(),
        submitted_at=_moment(row.submitted_at),
    )


def _moment(when: datetime | None) -> str | None:
    # In UTC, so that one instant written with two offsets is one key.
    return None if when is None else when.astimezone(UTC).isoformat()
