"""Sample points and shapes as the student reads them."""

import pytest

from app.grading.mathparse.vocabulary import Dim
from app.grading.messages import sampling as messages


@pytest.mark.parametrize(
    ("point", "size_symbol", "text"),
    [
        ({"m": 3, "i": 2}, "m", "for a batch of m = 3 with i = 2"),
        ({"m": 3}, "m", "for a batch of m = 3"),
        ({"n": 4}, None, "for n = 4"),
        ({}, None, "at some of the sample points"),
    ],
)
def test_where(point: dict[str, int], size_symbol: str | None, text: str) -> None:
    assert messages.where(point, size_symbol=size_symbol) == text


@pytest.mark.parametrize(
    ("dims", "text"),
    [((), "a number"), ((50,), "a vector of length 50"), (("m", 10), "m x 10")],
)
def test_describe_dims(dims: tuple[Dim, ...], text: str) -> None:
    assert messages.describe_dims(dims) == text
