"""Which free-index letters an expression leaves free and which it binds."""

import pytest
import sympy

from app.grading.sampling.scan import IndexUse, index_use, unbound_indices
from tests.grading.sampling.trees import add, at, i, j, k, m, mul, sym, total

NONE: frozenset[str] = frozenset()
I_ONLY = frozenset({"i"})


@pytest.mark.parametrize(
    ("tree", "free", "summed"),
    [
        (at("x", i), I_ONLY, NONE),
        (total(at("x", i), i), NONE, I_ONLY),
        (add(total(at("x", i), i), at("x", i)), I_ONLY, I_ONLY),
        (total(at("x", j), j, 1, i), I_ONLY, NONE),
        (total(at("x", j)), NONE, NONE),
        (total(total(at("x", i), i), j), NONE, I_ONLY),
        (mul(sym("i"), sym("a")), I_ONLY, NONE),
        (sympy.Sum(at("x", i), (i, 1, m), (j, 1, m)), NONE, I_ONLY),
        (sym("a"), NONE, NONE),
    ],
)
def test_index_use(tree: sympy.Basic, free: frozenset[str], summed: frozenset[str]) -> None:
    assert index_use(tree, frozenset({"i"})) == IndexUse(free, summed)


@pytest.mark.parametrize(
    ("tree", "loose"),
    [
        (at("x", i), NONE),
        (at("x", j), frozenset({"j"})),
        (total(at("x", j), j), NONE),
        (add(at("x", j), total(at("x", j), j)), frozenset({"j"})),
        (total(at("x", k), j), frozenset({"k"})),
        (total(at("x", j), j, 1, k), frozenset({"k"})),
        (mul(sym("m"), at("x", i)), NONE),
    ],
)
def test_unbound_indices(tree: sympy.Basic, loose: frozenset[str]) -> None:
    assert unbound_indices(tree, I_ONLY) == loose
