"""Grade one answer: normalize -> parse -> compare with the reference, then with known mistakes."""

import logging
from typing import Any, Literal

from pydantic import BaseModel

from app.grading.answers.base import AnswerType
from app.grading.extract import extract
from app.grading.failures import ParseFailure, Refuted
from app.grading.field import AnswerForm, GradableField, KnownMistake
from app.grading.messages import engine as messages
from app.grading.normalize import normalize
from app.grading.result import FieldResult, Verdict

log = logging.getLogger(__name__)


def grade_answer(field: GradableField, raw: object) -> FieldResult:
    """Grade one untrusted answer; never raises for anything a student can type."""
    if field.answer is None:
        return invalid(field, messages.UPLOAD_ONLY)
    text = normalize(raw)
    if isinstance(text, ParseFailure):
        return invalid(field, text.describe())
    try:
        return _grade_text(field, raw, text)
    except Exception:
        # A checker bug must cost one field, not the submission; the log keeps the evidence.
        log.exception("checking field %s failed", field.id)
        return invalid(field, messages.CHECK_FAILED)


class AnswerPreview(BaseModel):
    """How one answer was read: as LaTeX, or why and where it could not be; never a judgement."""

    field: str
    status: Literal["parsed", "invalid"]
    parsed: str | None = None
    message: str | None = None
    position: int | None = None


def preview_answer(field: GradableField, raw: object) -> AnswerPreview:
    """Parse one untrusted answer and show how it was understood; compares with nothing."""
    if field.answer is None:
        return unreadable(field, ParseFailure(messages.UPLOAD_ONLY))
    text = normalize(raw)
    if isinstance(text, ParseFailure):
        return unreadable(field, text)
    try:
        value = read(field.answer, str(raw), text)
        if isinstance(value, ParseFailure):
            return unreadable(field, value)
        return AnswerPreview(field=field.id, status="parsed", parsed=field.answer.latex(value))
    except Exception:
        log.exception("previewing field %s failed", field.id)
        return unreadable(field, ParseFailure(messages.CHECK_FAILED))


def unreadable(field: GradableField, failure: ParseFailure) -> AnswerPreview:
    """A preview of an answer that could not be read."""
    return AnswerPreview(
        field=field.id, status="invalid", message=failure.message, position=failure.position
    )


def invalid(field: GradableField, feedback: str, parsed: str | None = None) -> FieldResult:
    """A result for an answer that could not be understood or checked."""
    return FieldResult(
        field=field.id,
        verdict=Verdict.INVALID,
        score=0.0,
        max_score=field.max_score,
        feedback=feedback,
        parsed=parsed,
    )


def read(answer: AnswerType[Any, Any], raw: str, text: str) -> Any:
    """The answer's value: the whole text first (the fast path), then the words around it."""
    value = answer.parse(text)
    if not isinstance(value, ParseFailure):
        return value
    found = extract(answer, raw, text)
    return value if found is None else found


def _grade_text(field: GradableField, raw: object, text: str) -> FieldResult:
    answer = field.answer
    assert answer is not None
    value = read(answer, str(raw), text)
    if isinstance(value, Refuted):
        # Read, but wrong on its face (working that breaks): no credit, and the reason.
        return _refuted(field, value)
    if isinstance(value, ParseFailure):
        return invalid(field, value.describe())
    parsed = answer.latex(value)
    form = _matching_form(field, parsed)
    if form is not None:
        # A form the course ruled on earns what it was given, whatever the comparison says.
        return _result(field, form.verdict, form.credit, form.feedback, parsed, form.note)
    comparison = answer.compare(value, field.expected)
    if comparison.matches:
        return _result(field, Verdict.CORRECT, 1.0, messages.CORRECT, parsed)
    mistake = _matching_mistake(field, value)
    if mistake is not None:
        verdict = Verdict.PARTIAL if mistake.credit > 0 else Verdict.INCORRECT
        return _result(field, verdict, mistake.credit, mistake.feedback, parsed, mistake.name)
    return _result(field, Verdict.INCORRECT, 0.0, messages.incorrect(comparison.hint), parsed)


def _refuted(field: GradableField, refuted: Refuted) -> FieldResult:
    return FieldResult(
        field=field.id,
        verdict=Verdict.INCORRECT,
        score=0.0,
        max_score=field.max_score,
        feedback=messages.incorrect(refuted.describe()),
    )


def _matching_form(field: GradableField, parsed: str) -> AnswerForm | None:
    return next((form for form in field.forms if form.parsed == parsed), None)


def _matching_mistake(field: GradableField, value: Any) -> KnownMistake | None:
    assert field.answer is not None
    for mistake in field.mistakes:
        if field.answer.compare(value, mistake.expected).matches:
            return mistake
    return None


def _result(
    field: GradableField,
    verdict: Verdict,
    credit: float,
    feedback: str,
    parsed: str,
    note: str | None = None,
) -> FieldResult:
    return FieldResult(
        field=field.id,
        verdict=verdict,
        score=credit * field.max_score,
        max_score=field.max_score,
        feedback=feedback,
        parsed=parsed,
        note=note,
    )
