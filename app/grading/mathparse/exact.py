"""Bounded exact arithmetic on checked numeric trees: sizes are estimated before computing."""

import ast
import math
from collections.abc import Callable
from fractions import Fraction
from typing import Final

from app.grading import limits
from app.grading.mathparse.check import NUMBER, position_of, spine
from app.grading.mathparse.core import Frag, Reject
from app.grading.messages import parse as messages

Number = Fraction | float
_LOG10_2: Final = math.log10(2)
_MAX_EXPONENT_CHARS: Final = 6


def literal_value(text: str) -> Fraction:
    """The exact value of a decimal or scientific literal, refusing huge ones."""
    if NUMBER.fullmatch(text) is None:
        raise Reject(messages.VALUE_NOT_ALLOWED)
    mantissa, _, exponent_text = text.lower().partition("e")
    if len(exponent_text.lstrip("+-")) > _MAX_EXPONENT_CHARS:
        raise Reject(messages.TOO_LARGE)
    exponent = int(exponent_text or "0")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    if (
        abs(exponent) > limits.MAX_EXPONENT
        or len(digits) + abs(exponent) > limits.MAX_RESULT_DIGITS
    ):
        raise Reject(messages.TOO_LARGE)
    scale = exponent - len(fraction)
    value = Fraction(int(whole + fraction or "0"))
    return value * int(10**scale) if scale >= 0 else value / int(10**-scale)


def digits_of(value: Fraction) -> float:
    """Estimated decimal digits of the larger of numerator and denominator."""
    return max(value.numerator.bit_length(), value.denominator.bit_length()) * _LOG10_2


def bounded(value: Number) -> Number:
    """Refuse an intermediate that is too large (or not finite)."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Reject(messages.TOO_LARGE)
    elif digits_of(value) > limits.MAX_RESULT_DIGITS:
        raise Reject(messages.TOO_LARGE)
    return value


def power(base: Number, exponent: Number) -> Number:
    """base ** exponent: exact for whole exponents, float for others of positive bases."""
    if exceeds(exponent, limits.MAX_EXPONENT):
        raise Reject(messages.EXPONENT_TOO_LARGE)
    if isinstance(exponent, Fraction) and exponent.denominator == 1:
        return _whole_power(base, int(exponent))
    if base < 0:
        raise Reject(messages.NOT_REAL)
    if base == 0:
        return Fraction(0) if exponent > 0 else _zero_division()
    return _float(lambda: float(base) ** float(exponent))


def exceeds(value: Number, bound: int) -> bool:
    """Whether |value| > bound."""
    return bool(value > bound or value < -bound)


def _whole_power(base: Number, exponent: int) -> Number:
    if base == 0 and exponent < 0:
        return _zero_division()
    if base == 0 and exponent == 0:
        raise Reject(messages.ZERO_TO_ZERO)
    if isinstance(base, float):
        return _float(lambda: base**exponent)
    if digits_of(base) * abs(exponent) > limits.MAX_RESULT_DIGITS:
        raise Reject(messages.TOO_LARGE)
    return base**exponent


def square_root(value: Number) -> Number:
    """The square root, exact when numerator and denominator are perfect squares."""
    if value < 0:
        raise Reject(messages.NOT_REAL)
    if isinstance(value, Fraction):
        top, bottom = math.isqrt(value.numerator), math.isqrt(value.denominator)
        if top * top == value.numerator and bottom * bottom == value.denominator:
            return Fraction(top, bottom)
    return _float(lambda: math.sqrt(value))


def _float(compute: Callable[[], float]) -> float:
    try:
        return float(bounded(compute()))
    except (OverflowError, ZeroDivisionError):
        raise Reject(messages.TOO_LARGE) from None


def _zero_division() -> Number:
    raise Reject(messages.DIVISION_BY_ZERO)


def combine(op: ast.operator, left: Number, right: Number) -> Number:
    """One arithmetic step, bounded."""
    if isinstance(op, ast.Pow):
        return bounded(power(left, right))
    if isinstance(op, ast.Div) and right == 0:
        return _zero_division()
    if isinstance(left, float) or isinstance(right, float):
        return _float(lambda: float(_arith(op, float(left), float(right))))
    return bounded(_arith(op, left, right))


def _arith(op: ast.operator, left: Number, right: Number) -> Number:
    if isinstance(op, ast.Add):
        return left + right
    if isinstance(op, ast.Sub):
        return left - right
    if isinstance(op, ast.Mult):
        return left * right
    return left / right


def evaluate(node: ast.expr, source: Frag) -> Number:
    """The value of a checked tree of numbers, arithmetic and sqrt; raises Reject otherwise."""
    try:
        return _evaluate(node, source)
    except Reject as reject:
        if reject.failure.position is not None:
            raise
        raise Reject(reject.failure.message, position_of(source, node.col_offset)) from None


def constant_value(node: ast.Constant, source: Frag) -> Fraction:
    """The exact value of a literal node, failing at its position."""
    try:
        return literal_value(source.text[node.col_offset : node.end_col_offset or 0])
    except Reject as reject:
        raise Reject(reject.failure.message, position_of(source, node.col_offset)) from None


def _evaluate(node: ast.expr, source: Frag) -> Number:
    if isinstance(node, ast.Constant):
        return constant_value(node, source)
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, source)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow | ast.Div):
        return combine(node.op, _evaluate(node.left, source), _evaluate(node.right, source))
    if isinstance(node, ast.BinOp):
        first, steps = spine(node)
        value = _evaluate(first, source)
        for op, right in steps:
            value = combine(op, value, _evaluate(right, source))
        return value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sqrt":
        return square_root(_evaluate(node.args[0], source))
    raise Reject(messages.NOT_A_NUMBER, None)


def is_numeric(node: ast.expr) -> bool:
    """Whether a checked tree holds numbers only (no symbols), so it can be evaluated."""
    for child in ast.walk(node):
        if isinstance(child, ast.Subscript):
            return False
        if isinstance(child, ast.Name) and child.id != "sqrt":
            return False
    return True
