"""The engine's flow: invalid before wrong, correct before mistakes, mistakes before hints."""

from dataclasses import dataclass
from typing import Any

import pytest

from app.grading.answers.base import Comparison
from app.grading.engine import grade_answer
from app.grading.failures import ParseFailure, Refuted
from app.grading.field import GradableField, KnownMistake
from app.grading.result import Verdict


@dataclass
class Integers:
    """A toy answer type: base-10 integers, compared exactly."""

    explode: bool = False

    def parse(self, raw: str) -> int | ParseFailure:
        if self.explode:
            raise RuntimeError("checker bug")
        if raw.startswith("="):
            return Refuted("working breaks", 0)
        return int(raw) if raw.lstrip("-").isdigit() else ParseFailure("not an integer", 0)

    def latex(self, value: int) -> str:
        return str(value)

    def compare(self, value: int, expected: Any) -> Comparison:
        return Comparison(value == expected, "too large" if value > expected else "too small")


def field(**overrides: Any) -> GradableField:
    options: dict[str, Any] = {
        "id": "q1.a",
        "max_score": 4.0,
        "answer": Integers(),
        "expected": 42,
        "mistakes": (
            KnownMistake("off by one", 43, "Off by one.", 0.5),
            KnownMistake("sign", -42, "Check the sign."),
        ),
    }
    return GradableField(**(options | overrides))


@pytest.mark.parametrize(
    ("raw", "verdict", "score", "feedback"),
    [
        ("42", Verdict.CORRECT, 4.0, "Correct."),
        ("$42$", Verdict.CORRECT, 4.0, "Correct."),
        ("43", Verdict.PARTIAL, 2.0, "Off by one."),
        ("-42", Verdict.INCORRECT, 0.0, "Check the sign."),
        ("7", Verdict.INCORRECT, 0.0, "Not correct. too small"),
        ("forty-two", Verdict.INVALID, 0.0, "not an integer (at character 1)"),
        ("= 42", Verdict.INCORRECT, 0.0, "Not correct. working breaks (at character 1)"),
        ("", Verdict.INVALID, 0.0, "The answer is empty."),
        (None, Verdict.INVALID, 0.0, "The answer must be text."),
        ("4\u202e2", Verdict.INVALID, 0.0, "invisible control character"),
        ("1" * 5000, Verdict.INVALID, 0.0, "too long"),
    ],
)
def test_verdicts(raw: object, verdict: Verdict, score: float, feedback: str) -> None:
    result = grade_answer(field(), raw)
    assert (result.verdict, result.score) == (verdict, score)
    assert feedback in result.feedback
    assert result.max_score == 4.0


def test_parsed_is_shown_for_understood_answers_only() -> None:
    assert grade_answer(field(), "43").parsed == "43"
    assert grade_answer(field(), "x").parsed is None


def test_a_checker_bug_costs_one_field_not_the_request(caplog: pytest.LogCaptureFixture) -> None:
    result = grade_answer(field(answer=Integers(explode=True)), "42")
    assert result.verdict == Verdict.INVALID
    assert "checking field q1.a failed" in caplog.text


def test_upload_fields_are_not_graded_from_text() -> None:
    result = grade_answer(field(answer=None), "model.pt")
    assert result.verdict == Verdict.INVALID
    assert "uploading" in result.feedback
