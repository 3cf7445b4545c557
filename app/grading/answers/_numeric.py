"""Scalar arithmetic shared by number and array answers: tolerant comparison and LaTeX."""

import math
from fractions import Fraction
from functools import lru_cache
from numbers import Rational, Real

Scalar = Fraction | float


def as_scalar(value: object) -> Scalar | None:
    """A Python or NumPy integer, rational or float as Fraction or float; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    if isinstance(value, Real):
        return float(value)
    return None


def is_finite(value: Scalar) -> bool:
    """True unless the value is a float NaN or infinity."""
    return isinstance(value, Fraction) or math.isfinite(value)


def close(value: Scalar, expected: Scalar, *, rtol: float, atol: float) -> bool:
    """|value - expected| <= atol + rtol * |expected|, exactly when both are exact."""
    if not (is_finite(value) and is_finite(expected)):
        return False
    if value == expected:
        return True
    if isinstance(value, Fraction) and isinstance(expected, Fraction):
        bound = _exact(atol) + _exact(rtol) * abs(expected)
        return abs(value - expected) <= bound
    left, right = _to_float(value), _to_float(expected)
    return abs(left - right) <= atol + rtol * abs(right)


@lru_cache(maxsize=64)
def _exact(tolerance: float) -> Fraction:
    # Tolerances are few and fixed per field; converting them once keeps compare cheap.
    return Fraction(tolerance)


def _to_float(value: Scalar) -> float:
    # Exact values beyond float range become infinities, which then match nothing.
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def sign(value: Scalar) -> int:
    """-1, 0 or 1."""
    return (value > 0) - (value < 0)
