"""parse_constant: separators, scientific notation, fractions and exact bounded arithmetic."""

import math
import time
from fractions import Fraction

import pytest

from app.grading.failures import ParseFailure
from app.grading.mathparse import parse_constant
from app.grading.messages.parse import NOT_A_NUMBER, THOUSANDS
from tests.bounds import NO_HANG_S

EXACT = [
    ("903400", Fraction(903400)),
    ("903,400", Fraction(903400)),
    ("903 400", Fraction(903400)),
    (r"903\,400", Fraction(903400)),
    ("903{,}400", Fraction(903400)),
    ("903'400", Fraction(903400)),
    ("903  400", Fraction(903400)),
    ("1,234,567", Fraction(1234567)),
    ("1,234.5", Fraction(12345, 10)),
    ("9.034e5", Fraction(9034, 1000) * 10**5),
    ("9.034E+05", Fraction(9034, 1000) * 10**5),
    (r"9.034 \times 10^5", Fraction(9034, 1000) * 10**5),
    (r"9.034 \cdot 10^{5}", Fraction(9034, 1000) * 10**5),
    ("9.034 × 10⁵", Fraction(9034, 1000) * 10**5),
    ("1e-3", Fraction(1, 1000)),
    (r"\frac{110}{101}", Fraction(110, 101)),
    ("110/101", Fraction(110, 101)),
    (r"(3 \times 3 \times 3 + 1) \times 100", Fraction((3 * 3 * 3 + 1) * 100)),
    ("3*3*3*4", Fraction(3 * 3 * 3 * 4)),
    ("(3*3*3+1)*100 + (3*3*100+1)*200", Fraction((3 * 3 * 3 + 1) * 100 + (3 * 3 * 100 + 1) * 200)),
    ("2^3", Fraction(2**3)),
    ("2**-2", Fraction(1, 4)),
    (r"\sqrt{4}", Fraction(2)),
    (r"\sqrt{\frac{9}{4}}", Fraction(3, 2)),
    (r"-\frac{1}{2}", Fraction(-1, 2)),
    (r"\frac12", Fraction(1, 2)),
    ("0.1 + 0.2", Fraction(3, 10)),
    ("−5", Fraction(-5)),
    ("$42$", Fraction(42)),
    ("10^{300}/10^{299}", Fraction(10)),
]


@pytest.mark.parametrize(("raw", "expected"), EXACT)
def test_exact_values(raw: str, expected: Fraction) -> None:
    value = parse_constant(raw)
    assert isinstance(value, Fraction), value
    assert value == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(r"\sqrt{2}", math.sqrt(2)), ("2^{0.5}", 2**0.5), ("8^(1/3)", 8 ** (1 / 3))],
)
def test_irrational_values_fall_back_to_float(raw: str, expected: float) -> None:
    value = parse_constant(raw)
    assert isinstance(value, float)
    assert value == pytest.approx(expected, rel=1e-12)


FAILURES = [
    ("90,34", THOUSANDS),
    ("903 40", THOUSANDS),
    ("3,5", THOUSANDS),
    ("1, 2", THOUSANDS),
    ("x", NOT_A_NUMBER),
    ("2m", NOT_A_NUMBER),
    ("nan", NOT_A_NUMBER),
    ("inf", NOT_A_NUMBER),
    (r"\infty", NOT_A_NUMBER),
    (r"\pi", NOT_A_NUMBER),
    ("1/0", "The answer cannot be read: it divides by zero."),
    ("0^-1", "The answer cannot be read: it divides by zero."),
    ("(-8)^(1/3)", "The answer cannot be read: its value is not a real number."),
    (r"\sqrt{-4}", "The answer cannot be read: its value is not a real number."),
    (
        "1e999",
        "The answer cannot be read: a number or power is too large or too small to work with.",
    ),
    ("9^9^9", "The answer cannot be read: exponents larger than 1000 are not accepted."),
    ("10**10**10", "The answer cannot be read: exponents larger than 1000 are not accepted."),
    (
        "2^(2^(2^(2^(2^99))))",
        "The answer cannot be read: exponents larger than 1000 are not accepted.",
    ),
    (
        "7^999",
        "The answer cannot be read: a number or power is too large or too small to work with.",
    ),
    (
        "(10^300)*(10^300)",
        "The answer cannot be read: a number or power is too large or too small to work with.",
    ),
    (
        "1e-400",
        "The answer cannot be read: a number or power is too large or too small to work with.",
    ),
    ("0^0", "The answer cannot be read: 0 to the power 0 is undefined."),
]


@pytest.mark.parametrize(("raw", "message"), FAILURES)
def test_invalid_numbers(raw: str, message: str) -> None:
    start = time.perf_counter()
    result = parse_constant(raw)
    assert time.perf_counter() - start < NO_HANG_S
    assert isinstance(result, ParseFailure)
    assert result.message == message


def test_thousands_message_points_at_the_separator() -> None:
    result = parse_constant("90,34")
    assert isinstance(result, ParseFailure)
    assert result.position == 2


@pytest.mark.parametrize(
    "raw", ["__import__('os')", "1" * 100000, "(" * 41 + "1" + ")" * 41, "1e99999999999", "1_000"]
)
def test_hostile_numbers_fail_quickly(raw: str) -> None:
    start = time.perf_counter()
    assert isinstance(parse_constant(raw), ParseFailure)
    assert time.perf_counter() - start < NO_HANG_S
