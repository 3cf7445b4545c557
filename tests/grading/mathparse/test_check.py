"""check: plain syntax outside the whitelist is refused, and the refusal names the construct."""

import pytest

from app.grading.mathparse.check import check, parse_plain
from app.grading.mathparse.core import Frag, Reject
from app.grading.messages import parse as messages


@pytest.mark.parametrize(
    ("plain", "message"),
    [
        ("a < b", messages.not_allowed("comparisons")),
        ("a.b", messages.not_allowed("attribute access with '.'")),
        ("lambda: 0", messages.not_allowed("lambda")),
        ("'os'", messages.not_allowed("text in quotes")),
        ("None", messages.VALUE_NOT_ALLOWED),
        ("a % b", messages.OPERATOR_NOT_ALLOWED),
        ("f(*a)", messages.UNPACKING_NOT_ALLOWED),
        ("().__class__", messages.not_allowed("attribute access with '.'")),
    ],
)
def test_refused_constructs_are_named(plain: str, message: str) -> None:
    source = Frag(plain, tuple(range(len(plain))))
    with pytest.raises(Reject) as refused:
        check(parse_plain(source), source, None)
    assert refused.value.failure.message == message
