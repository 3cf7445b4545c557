"""Applying answer rules to graded answers: a step after parsing, matched on the parsed form.

A rule never looks at what was typed, only at how the grader read it, so spacing and
spelling variants of one answer are ruled alike and an answer that could not be read
(`invalid`, no parsed form) is never ruled at all.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from app.grading.result import FieldResult, SubmissionResult, Verdict


@dataclass(frozen=True, slots=True)
class Ruling:
    """One rule as grading applies it: which answer form of which field, and what it earns."""

    field: str
    parsed: str
    verdict: Verdict
    credit: float
    feedback: str
    note: str | None = None


def ruled_field(result: FieldResult, rulings: Sequence[Ruling]) -> FieldResult:
    """The field's result under the first ruling that matches its parsed form."""
    if result.verdict is Verdict.INVALID or result.parsed is None:
        return result
    for ruling in rulings:
        if ruling.field == result.field and ruling.parsed == result.parsed:
            return result.model_copy(
                update={
                    "verdict": ruling.verdict,
                    "score": ruling.credit * result.max_score,
                    "feedback": ruling.feedback,
                    "note": ruling.note,
                }
            )
    return result


def ruled(result: SubmissionResult, rulings: Sequence[Ruling]) -> SubmissionResult:
    """The submission's result with every matching ruling applied and the total recomputed."""
    if not rulings:
        return result
    fields = [ruled_field(field, rulings) for field in result.fields]
    total = round(sum(field.score for field in fields), 6)
    return result.model_copy(update={"fields": fields, "total": total})
