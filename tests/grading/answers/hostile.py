"""Hostile answers that every simple answer type must refuse quickly."""

import time

from app.grading.answers.base import AnswerType
from app.grading.failures import ParseFailure
from tests.bounds import NO_HANG_S

HOSTILE = (
    "1" * 1_000_000,
    "[" * 10_000 + "]" * 10_000,
    "(" * 100 + "1" + ")" * 100,
    "{" * 60 + "}" * 60,
    "__import__('os')",
    "__import__('os').system('true')",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 0",
    "1e999",
    "-1e999",
    "nan",
    "NaN",
    "inf",
    "1\x002",
    "\x00",
    "a\u202eb",
    ", ".join(["1"] * 100_000),
    "[1, 9^9^9, 3]",
    "9^9^9",
    r"\begin{bmatrix} 1 & 2",
    r"\end{bmatrix}",
    "",
    "   ",
    "[1, 2",
    "1, 2]",
    "$",
)


def assert_refused_quickly(answer: AnswerType[object, object], raw: str) -> None:
    """The answer type returns a ParseFailure, within the time limit."""
    start = time.perf_counter()
    result = answer.parse(raw)
    elapsed = time.perf_counter() - start
    assert isinstance(result, ParseFailure), result
    assert elapsed < NO_HANG_S, elapsed
