"""When two sides of a number's working (`27 * 4 = 108`, `0.333 = 1/3`) agree.

Working is judged more strictly than the result: a count is exact, so sides written with whole
numbers and fractions only must be equal exactly. A side that shows a decimal (`0.333`,
`1.802 \\times 10^5`) was rounded by its writer to the digits shown, so the other side may lie
within half a unit in its last significant digit (`2.8e3` stands for 2750 to 2850). An
irrational value (`\\sqrt{2}`) is a float, and floats agree to FLOAT_RTOL relative.
"""

import math
import re
from fractions import Fraction
from typing import Final

from app.grading.answers._numeric import Scalar, close

FLOAT_RTOL: Final = 1e-9
"""How far float arithmetic may move two equal sides apart."""
# A literal with a decimal point; its digits, less leading zeros, are the digits it claims.
DECIMAL = re.compile(r"(?<![0-9.])(?P<digits>[0-9]*\.[0-9]+|[0-9]+\.)(?![0-9.])")


def sides_agree(left_text: str, left: Scalar, right_text: str, right: Scalar) -> bool:
    """Whether two sides are equal up to the rounding their writer showed."""
    allowed = max(_rounding(left_text, left), _rounding(right_text, right))
    if isinstance(left, Fraction) and isinstance(right, Fraction):
        return abs(left - right) <= allowed
    return close(left, right, rtol=FLOAT_RTOL, atol=float(allowed))


def _rounding(text: str, value: Scalar) -> Fraction:
    """Half a unit in the last digit of the least precise decimal of one side; 0 for none."""
    digits = [_significant(match["digits"]) for match in DECIMAL.finditer(text)]
    magnitude = _magnitude(value)
    if not digits or not math.isfinite(magnitude) or magnitude == 0:
        return Fraction(0)
    exponent = math.floor(math.log10(magnitude)) - min(digits) + 1
    return Fraction(10) ** exponent / 2


def _magnitude(value: Scalar) -> float:
    # The parser bounds literals, but an exact value beyond float range must not raise here.
    try:
        return abs(float(value))
    except OverflowError:
        return math.inf


def _significant(literal: str) -> int:
    return max(len(literal.replace(".", "").lstrip("0")), 1)
