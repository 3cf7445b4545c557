"""Symbolic shape inference and the feedback it writes about the student's own terms."""

import pytest
import sympy

from app.grading.mathparse.vocabulary import Dim
from app.grading.messages import sampling as messages
from app.grading.sampling.shapes import ShapeFailure, add_shapes, infer_shape, multiply_shapes
from tests.grading.sampling.trees import (
    add,
    at,
    j,
    mat,
    mul,
    neg,
    num,
    power,
    relu,
    sqrt,
    sym,
    total,
    tr,
)

SHAPES: dict[str, tuple[Dim, ...]] = {
    "X": ("m", 10),
    "W_h": (10, 50),
    "b_h": (50,),
    "W_o": (50, 3),
    "b_o": (3,),
    "ones_m": ("m", 1),
    "Gamma": ("d", "d"),
}
NAMES = {"ones_m": "1_m", "Gamma": r"\Gamma"}
X, W_h, b_h, W_o, b_o, ones, Gamma = (
    mat(name) for name in ("X", "W_h", "b_h", "W_o", "b_o", "ones_m", "Gamma")
)
hidden = relu(add(mul(X, W_h), b_h))

VALID: list[tuple[str, sympy.Basic, tuple[Dim, ...]]] = [
    ("product", mul(X, W_h), ("m", 50)),
    ("bias on rows", add(mul(X, W_h), b_h), ("m", 50)),
    ("explicit broadcast", add(mul(X, W_h), mul(ones, b_h)), ("m", 50)),
    ("explicit broadcast of a transposed bias", add(mul(X, W_h), mul(ones, tr(b_h))), ("m", 50)),
    ("network", relu(add(mul(hidden, W_o), b_o)), ("m", 3)),
    ("transposed product", tr(mul(X, W_h)), (50, "m")),
    ("product of transposes", mul(tr(W_h), tr(X)), (50, "m")),
    ("matrix times vector", mul(tr(W_o), b_h), (3,)),
    ("scaled", mul(sym("s"), X, num(2)), ("m", 10)),
    ("inverse", power(Gamma, -1), ("d", "d")),
    ("number", add(sym("a"), num(1)), ()),
    ("sum of indexed scalars", total(at("x", j)), ()),
]


@pytest.mark.parametrize(("name", "tree", "shape"), VALID, ids=[c[0] for c in VALID])
def test_conforming_expressions_get_their_shape(
    name: str, tree: sympy.Basic, shape: tuple[Dim, ...]
) -> None:
    assert infer_shape(tree, SHAPES, NAMES) == shape


FAILURES: list[tuple[str, sympy.Basic, str]] = [
    (
        "transposed weight times input",
        mul(tr(W_h), X),
        "W_h^T (50 x 10) times X (m x 10) does not conform.",
    ),
    (
        "display names",
        mul(ones, X),
        "1_m (m x 1) times X (m x 10) does not conform.",
    ),
    (
        "left factor is the product so far",
        mul(X, W_h, W_o, W_h),
        "X W_h W_o (m x 3) times W_h (10 x 50) does not conform.",
    ),
    (
        "matrices of different shapes",
        add(mul(X, W_h), W_o),
        "Cannot add X W_h (m x 50) and W_o (50 x 3).",
    ),
    (
        "bias of the wrong layer",
        add(mul(X, W_h), neg(b_o)),
        "Cannot add X W_h (m x 50) and -b_o (a vector of length 3).",
    ),
    (
        "wrong bias on a transposed product",
        add(tr(mul(X, W_h)), b_o),
        "Cannot add (X W_h)^T (50 x m) and b_o (a vector of length 3).",
    ),
    ("scalar plus matrix", add(num(1), X), "Cannot add 1 (a number) and X (m x 10)."),
    (
        "vector times vector",
        mul(b_h, b_h),
        "b_h (a vector of length 50) times b_h (a vector of length 50) does not conform.",
    ),
    (
        "inverse of a rectangle",
        power(X, -1),
        "X (m x 10) is not square, so it has no inverse or power.",
    ),
    ("power of a vector", power(b_h, 2), "b_h is a vector; a vector cannot be raised to a power."),
    ("root of a matrix", sqrt(Gamma), messages.MATRIX_POWER),
    ("matrix exponent", power(num(2), X), messages.EXPONENT_NOT_SCALAR),
    ("exp of a matrix", sympy.exp(X, evaluate=False), messages.scalar_function("exp")),
]


@pytest.mark.parametrize(("name", "tree", "message"), FAILURES, ids=[c[0] for c in FAILURES])
def test_failures_name_the_students_terms(name: str, tree: sympy.Basic, message: str) -> None:
    assert infer_shape(tree, SHAPES, NAMES) == ShapeFailure(message)


def test_very_deep_tree_is_a_failure_not_a_crash() -> None:
    tree: sympy.Basic = X
    for _ in range(5_000):
        tree = tr(tree)
    assert isinstance(infer_shape(tree, SHAPES, NAMES), ShapeFailure)


@pytest.mark.parametrize(
    ("left", "right", "added", "multiplied"),
    [
        ((), (), (), ()),
        ((2, 3), (3,), (2, 3), (2,)),
        ((3,), (2, 3), (2, 3), None),
        ((2, 1), (4,), None, (2, 4)),
        ((4,), (1, 5), None, (4, 5)),
        (("m", 3), (3, "m"), None, ("m", "m")),
        (("m", 3), ("n", 3), None, None),
        # a vector as long as a column adds to each column: a transposed layer's bias
        ((3, "m"), (3,), (3, "m"), None),
        ((3,), (3, "m"), (3, "m"), (("m",))),
        ((2, 2), (2,), (2, 2), (2,)),
    ],
)
def test_shape_rules(
    left: tuple[Dim, ...],
    right: tuple[Dim, ...],
    added: tuple[Dim, ...] | None,
    multiplied: tuple[Dim, ...] | None,
) -> None:
    assert add_shapes(left, right) == added
    assert multiply_shapes(left, right) == multiplied
