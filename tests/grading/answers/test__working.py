"""Sides of number working: exact sides equal exactly, rounded ones within the digits shown."""

from fractions import Fraction

import pytest

from app.grading.answers._working import sides_agree


@pytest.mark.parametrize(
    ("left_text", "left", "right_text", "right", "agree"),
    [
        ("27*4", Fraction(108), "108", Fraction(108), True),
        ("27*4", Fraction(108), "109", Fraction(109), False),
        ("720000", Fraction(720000), "720400", Fraction(720400), False),
        ("0.333", Fraction(333, 1000), "1/3", Fraction(1, 3), True),
        ("0.3333", Fraction(3333, 10000), "1/3", Fraction(1, 3), True),
        ("0.334", Fraction(334, 1000), "1/3", Fraction(1, 3), False),
        ("2.8e3", Fraction(2800), "2850", Fraction(2850), True),
        ("2.8e3", Fraction(2800), "2851", Fraction(2851), False),
        (r"1.802 \times 10^5", Fraction(180200), "180250", Fraction(180250), True),
        (r"1.802 \times 10^5", Fraction(180200), "180251", Fraction(180251), False),
        (r"\sqrt{2}", 2**0.5, "1.414", Fraction(1414, 1000), True),
        (r"\sqrt{2}\sqrt{2}", 2.0000000000000004, "2", Fraction(2), True),
        (r"\sqrt{2}", 2**0.5, "1.4143", Fraction(14143, 10000), False),
        ("1.5", Fraction(3, 2), "10^400", Fraction(10) ** 400, False),
    ],
)
def test_sides_agree_to_the_rounding_their_digits_show(
    left_text: str, left: Fraction | float, right_text: str, right: Fraction | float, agree: bool
) -> None:
    assert sides_agree(left_text, left, right_text, right) is agree
    assert sides_agree(right_text, right, left_text, left) is agree
