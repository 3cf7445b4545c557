"""Single numbers: integers, decimals, fractions, or the arithmetic that produces them."""

import re
from fractions import Fraction

from app.grading.answers._numeric import Scalar, as_scalar, close, is_finite, sign
from app.grading.answers._text import Piece, prepare, quoted, split_top
from app.grading.answers._working import sides_agree
from app.grading.answers.base import Comparison
from app.grading.failures import ParseFailure, Refuted
from app.grading.mathparse import constant_latex, parse_constant, parse_expression
from app.grading.mathparse.vocabulary import Vocabulary
from app.grading.messages import answers as messages

# In a number there are no variables, so an `x` between two operands can only be a product.
PLAIN_TIMES = re.compile(r"(?<=[0-9.)\]}])(\s*)[xX](?=\s*[0-9.(\[{\\])")
# `2800 parameters`, `108 \text{ params}`: a trailing unit word, and `\approx 903400`.
DECORATION = re.compile(
    r"(?:\\text\s*\{\s*)?(?:trainable\s+)?(?:param(?:eter)?s?|weights?)\s*\}?\s*\.?\s*$"
    r"|^\s*(?:\\approx(?![A-Za-z])|≈)",
    re.IGNORECASE,
)
LETTER = re.compile(r"[A-Za-z\\]")
# `903.4K` for a count: a decimal and one SI suffix, exact; a lowercase m could mean milli.
SUFFIXED = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s?([kKMGB])\s*")
SUFFIXES = {"k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "B": 10**9}


class NumberAnswer:
    """A real number, exact where the student wrote it exactly, compared within tolerances."""

    def __init__(
        self,
        *,
        rtol: float = 0.0,
        atol: float = 0.0,
        asks: str | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self._rtol = rtol
        self._atol = atol
        self._asks = asks
        self._vocabulary = vocabulary

    def parse(self, raw: str) -> Scalar | ParseFailure:
        """Evaluate a constant expression, or a chain `working = value` of equal ones."""
        text = prepare(raw)
        if isinstance(text, ParseFailure):
            return text
        value = _equation_value(DECORATION.sub(lambda match: " " * len(match.group()), text))
        if isinstance(value, ParseFailure) and self._is_expression(text):
            # Readable, only not a number: wrong, and the student is told what is asked.
            return Refuted(messages.number_asked(self._asks))
        return value

    def _is_expression(self, text: str) -> bool:
        if self._vocabulary is None:
            return False
        parsed = parse_expression(text, self._vocabulary)
        return not isinstance(parsed, ParseFailure) and bool(parsed.free_symbols)

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
    """parse_constant, with `3 x 4` read as a product and infinities and NaN refused."""
    value = parse_constant(PLAIN_TIMES.sub(lambda match: match.group(1) + "*", text))
    if isinstance(value, ParseFailure) or is_finite(value):
        return value
    return ParseFailure(messages.NOT_FINITE)


def _equation_value(text: str) -> Scalar | ParseFailure:
    # The last side is the answer; the others are working (which must agree with it) or,
    # first of all, a label such as `dL/dx_i` or `k^2 C_in C_out`.
    *working, last = split_top(Piece(text, 0), "=")
    value = _side_value(last)
    if isinstance(value, ParseFailure):
        return value
    for index, side in enumerate(working):
        if index == 0 and (not side.text.strip() or _is_label(side)):
            continue
        other = _side_value(side)
        if isinstance(other, ParseFailure):
            return other
        if not sides_agree(side.text, other, last.text, value):
            shown = quoted(side.text.strip())
            return Refuted(messages.working_differs(shown), side.stripped().start)
    return value


def _side_value(side: Piece) -> Scalar | ParseFailure:
    piece = side.stripped()
    if not piece.text:
        return ParseFailure(messages.EMPTY_SIDE, piece.start)
    value = _suffixed(piece.text) or finite_constant(piece.text)
    if isinstance(value, ParseFailure) and value.position is not None:
        return ParseFailure(value.message, piece.start + value.position)
    return value


def _suffixed(text: str) -> Fraction | None:
    """The exact value of `903.4K`, `1.2M`; None when the text is not one such number."""
    match = SUFFIXED.fullmatch(text)
    if match is None:
        return None
    return Fraction(match.group(1)) * SUFFIXES[match.group(2)]


def _is_label(side: Piece) -> bool:
    has_letters = LETTER.search(side.text) is not None
    return has_letters and isinstance(finite_constant(side.text), ParseFailure)


def _direction(value: Scalar, target: Scalar) -> str:
    if sign(value) * sign(target) < 0:
        return messages.WRONG_SIGN
    return messages.TOO_LARGE if value > target else messages.TOO_SMALL
