"""Splitting a declared positive scale off a product, and checking that it is positive."""

import pytest
import sympy

from app.grading.sampling.scale import is_positive, mentions, split_scale
from tests.grading.sampling.trees import add, mat, mul, neg, num, power, sqrt, sym

LAM = frozenset({"lam"})
lam, mu, X, G = sym("lam"), sym("mu"), mat("X"), mat("G")
G_INV = power(G, -1)


@pytest.mark.parametrize(
    ("tree", "scale", "rest"),
    [
        (mul(sqrt(lam), X, G_INV), mul(sqrt(lam)), mul(X, G_INV)),
        (mul(X, G_INV, sqrt(lam)), mul(sqrt(lam)), mul(X, G_INV)),
        (mul(mul(sqrt(lam), X), G_INV), mul(sqrt(lam)), mul(X, G_INV)),
        (mul(num(2), lam, X), mul(num(2), lam), X),
        (mul(neg(lam), X), mul(neg(lam)), X),
    ],
)
def test_a_scale_is_split_off_in_written_order(
    tree: sympy.Basic, scale: sympy.Basic, rest: sympy.Basic
) -> None:
    assert split_scale(tree, LAM) == (scale, rest)


@pytest.mark.parametrize(
    "tree",
    [
        add(mul(X, G_INV), lam),
        mul(X, power(mul(lam, G), -1)),
        lam,
        mul(num(2), X, G_INV),
        mul(sqrt(add(lam, mu)), X),
    ],
)
def test_no_split_where_the_scale_is_not_a_factor_of_the_whole(tree: sympy.Basic) -> None:
    assert split_scale(tree, LAM) is None


@pytest.mark.parametrize(
    ("scale", "positive"),
    [
        (sqrt(lam), True),
        (mul(num(2), lam), True),
        (power(lam, -1), True),
        (neg(lam), False),
        (add(num(1), neg(lam)), False),
        (sqrt(add(lam, num(-1))), False),
        (add(lam, mul(num(-1), power(lam, 2))), False),
    ],
)
def test_a_scale_must_be_positive_for_every_positive_weight(
    scale: sympy.Expr, positive: bool
) -> None:
    assert is_positive(scale, LAM) is positive


def test_mentions() -> None:
    assert mentions(mul(sqrt(lam), X), LAM)
    assert not mentions(mul(mu, X), LAM)
