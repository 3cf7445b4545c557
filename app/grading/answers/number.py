"""Single numbers: integers, decimals, fractions, or the arithmetic that produces them."""

from fractions import Fraction

from app.grading.answers import messages
from app.grading.answers._numeric import Scalar, as_scalar, close, is_finite, sign
from app.grading.answers._text import prepare
from app.grading.answers.base import Comparison
from app.grading.failures import ParseFailure
from app.grading.mathparse import constant_latex, parse_constant


class NumberAnswer:
    """A real number, exact where the student wrote it exactly, compared within tolerances."""

    def __init__(self, *, rtol: float = 0.0, atol: float = 0.0) -> None:
        self._rtol = rtol
        self._atol = atol

    def parse(self, raw: str) -> Scalar | ParseFailure:
        """Evaluate a constant expression; infinities and NaN are refused."""
        text = prepare(raw)
        if isinstance(text, ParseFailure):
            return text
        return finite_constant(text)

    def latex(self, value: Scalar) -> str:
        """An integer, a fraction, or a float in short form."""
        return constant_latex(value)

    def compare(self, value: Scalar, expected: int | float | Fraction) -> Comparison:
        """Within atol + rtol * |expected|; exact when both are exact and tolerances are 0."""
        target = as_scalar(expected)
        if target is None or not (is_finite(value) and is_finite(target)):
            return Comparison(False)
        if close(value, target, rtol=self._rtol, atol=self._atol):
            return Comparison(True)
        return Comparison(False, _direction(value, target))


def finite_constant(text: str) -> Scalar | ParseFailure:
    """parse_constant, with infinities and NaN turned into failures."""
    value = parse_constant(text)
    if isinstance(value, ParseFailure) or is_finite(value):
        return value
    return ParseFailure(messages.NOT_FINITE)


def _direction(value: Scalar, target: Scalar) -> str:
    if sign(value) * sign(target) < 0:
        return messages.WRONG_SIGN
    return messages.TOO_LARGE if value > target else messages.TOO_SMALL
