"""Plain renderings of the student's subexpressions."""

import pytest
import sympy

from app.grading.sampling.render import MAX_RENDERED, plain
from tests.grading.sampling.trees import add, at, i, mat, mul, neg, num, power, relu, sub, total, tr

X, W, b = mat("X"), mat("W_h"), mat("b_h")
NAMES = {"W_h": "W_{h}", "b_h": "b_{h}"}


@pytest.mark.parametrize(
    ("tree", "text"),
    [
        (mul(X, W), "X W_{h}"),
        (tr(mul(X, W)), "(X W_{h})^T"),
        (tr(W), "W_{h}^T"),
        (sub(mul(X, W), b), "X W_{h} - b_{h}"),
        (relu(add(mul(X, W), b)), "ReLU(X W_{h} + b_{h})"),
        (power(W, -1), "W_{h}^(-1)"),
        (neg(X), "-X"),
        (at("x", i), "x_i"),
        (total(at("x", i), i), "sum(x_i)"),
        (mul(num(2), X), "2 X"),
    ],
)
def test_plain(tree: sympy.Basic, text: str) -> None:
    assert plain(tree, NAMES) == text


def test_long_renderings_are_cut() -> None:
    tree = add(*(mat(f"A{k}") for k in range(40)))
    text = plain(tree, {})
    assert len(text) == MAX_RENDERED and text.endswith("…")
