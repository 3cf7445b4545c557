"""The tree evaluator against numpy computed independently, and its refusals."""

from collections.abc import Callable

import numpy as np
import pytest
import sympy

from app.grading.sampling.batch import EvaluationError, FloatArray, SampleBatch
from app.grading.sampling.evaluate import evaluate
from tests.grading.sampling.trees import (
    add,
    at,
    div,
    i,
    j,
    k,
    m,
    mat,
    mul,
    neg,
    num,
    power,
    relu,
    scalar_batch,
    sqrt,
    sub,
    sym,
    total,
    tr,
)

a, b, c = sym("a"), sym("b"), sym("c")
x_i, x_j, y_j = at("x", i), at("x", j), at("y", j)
Values = dict[str, FloatArray]


def _row(values: FloatArray, positions: FloatArray) -> FloatArray:
    return values[np.arange(len(values)), positions.astype(int) - 1]


def _cumsum_at(values: FloatArray, upto: FloatArray) -> FloatArray:
    padded = np.concatenate([np.zeros((len(values), 1)), np.cumsum(values, axis=1)], axis=1)
    return padded[np.arange(len(values)), upto.astype(int)]


SCALAR_CASES: list[tuple[str, sympy.Basic, Callable[[Values, FloatArray], FloatArray]]] = [
    ("sum", add(a, b), lambda v, pos: v["a"] + v["b"]),
    ("difference", sub(a, b), lambda v, pos: v["a"] - v["b"]),
    ("product", mul(a, b, c), lambda v, pos: v["a"] * v["b"] * v["c"]),
    ("quotient", div(a, c), lambda v, pos: v["a"] / v["c"]),
    ("square root", sqrt(c), lambda v, pos: np.sqrt(v["c"])),
    ("cube", power(c, 3), lambda v, pos: v["c"] ** 3),
    ("negative power", power(c, -2), lambda v, pos: v["c"] ** -2.0),
    ("symbolic power", power(c, b), lambda v, pos: v["c"] ** v["b"]),
    ("float", mul(num("2.5"), a), lambda v, pos: 2.5 * v["a"]),
    ("rational", mul(num("1/3"), a), lambda v, pos: v["a"] / 3),
    ("pi", mul(sympy.pi, a), lambda v, pos: np.pi * v["a"]),
    ("constant", num(7), lambda v, pos: np.full(len(pos), 7.0)),
    ("free index", x_i, lambda v, pos: _row(v["x"], pos)),
    ("index as value", mul(i, a), lambda v, pos: pos * v["a"]),
    ("sum", total(x_j), lambda v, pos: v["x"].sum(axis=1)),
    ("sum of products", total(mul(x_j, y_j)), lambda v, pos: (v["x"] * v["y"]).sum(axis=1)),
    (
        "variance",
        div(total(power(sub(x_j, div(total(at("x", k), k), m)), 2)), m),
        lambda v, pos: v["x"].var(axis=1),
    ),
    ("bound index as value", total(mul(j, x_j)), lambda v, pos: v["x"] @ np.arange(1, 5)),
    ("limit at free index", total(x_j, j, 1, i), lambda v, pos: _cumsum_at(v["x"], pos)),
    (
        "delta picks the free index",
        total(mul(sympy.KroneckerDelta(i, j), x_j)),
        lambda v, pos: _row(v["x"], pos),
    ),
    (
        "sum leaving the free index out",
        total(mul(x_j, sub(num(1), sympy.KroneckerDelta(j, i)))),
        lambda v, pos: v["x"].sum(axis=1) - _row(v["x"], pos),
    ),
    ("delta of numbers", sympy.KroneckerDelta(i, 2), lambda v, pos: (pos == 2).astype(float)),
    (
        "empty at the last position",
        total(x_j, j, add(i, num(1)), m),
        lambda v, pos: v["x"].sum(axis=1) - _cumsum_at(v["x"], pos),
    ),
    (
        "index out of range only in skipped terms",
        total(at("x", add(j, neg(i), num(1))), j, i, m),
        lambda v, pos: _cumsum_at(v["x"], 4 - pos + 1),
    ),
    (
        "double sum",
        total(total(mul(x_j, at("y", k)), k)),
        lambda v, pos: v["x"].sum(1) * v["y"].sum(1),
    ),
    (
        "triangular double sum",
        total(total(at("x", k), k, 1, j)),
        lambda v, pos: np.cumsum(v["x"], axis=1).sum(axis=1),
    ),
    (
        "inner sum reuses i",
        add(total(at("x", i), i), x_i),
        lambda v, pos: v["x"].sum(1) + _row(v["x"], pos),
    ),
    (
        "sum over i inside a term with free i",
        mul(x_i, total(at("y", i), i)),
        lambda v, pos: _row(v["x"], pos) * v["y"].sum(1),
    ),
    ("relu", relu(a), lambda v, pos: np.maximum(v["a"], 0)),
    ("log", sympy.log(c, evaluate=False), lambda v, pos: np.log(v["c"])),
    ("exp", sympy.exp(a, evaluate=False), lambda v, pos: np.exp(v["a"])),
    ("abs", sympy.Abs(a, evaluate=False), lambda v, pos: np.abs(v["a"])),
]


@pytest.fixture
def batch() -> SampleBatch:
    return scalar_batch(np.random.default_rng(7), draws=6, size=4)


@pytest.mark.parametrize(
    ("name", "tree", "expected"), SCALAR_CASES, ids=[c[0] for c in SCALAR_CASES]
)
def test_scalar_trees_match_numpy(
    name: str,
    tree: sympy.Basic,
    expected: Callable[[Values, FloatArray], FloatArray],
    batch: SampleBatch,
) -> None:
    values = dict(batch.values)
    result = evaluate(tree, batch)
    assert result.shape == (batch.draws,)
    np.testing.assert_allclose(result, expected(values, batch.indices["i"]), rtol=1e-12)


NON_FINITE = [
    ("tower of powers", power(num(9), power(num(9), power(num(9), 9)))),
    ("division by zero", div(a, sub(m, m))),
    ("zero to a negative power", power(num(0), -1)),
    ("square root of a negative", sqrt(neg(c))),
    ("huge integer", mul(sympy.Integer(10) ** 400, a)),
    ("overflowing float", mul(num("1e308"), num(10), c)),
    ("zoo", mul(sympy.zoo, a)),
]


@pytest.mark.parametrize(("name", "tree"), NON_FINITE, ids=[c[0] for c in NON_FINITE])
def test_overflow_and_invalid_give_non_finite_values_silently(
    name: str, tree: sympy.Basic, batch: SampleBatch
) -> None:
    assert not np.isfinite(evaluate(tree, batch)).all()


def _deep(levels: int) -> sympy.Basic:
    tree: sympy.Basic = a
    for _ in range(levels):
        tree = relu(tree)
    return tree


def _wide(terms: int) -> sympy.Basic:
    return add(*(mul(a, j) for _ in range(terms)))


ERRORS = [
    ("unknown symbol", add(a, sym("z")), "(z) that this question does not allow"),
    ("unknown indexed symbol", at("q", i), "(q) that this question does not allow"),
    ("indexed symbol without index", add(sym("x"), a), "x needs an index"),
    ("index on a scalar", at("a", i), "a does not take an index"),
    ("unbound index", at("x", k), "The index k is neither bound"),
    ("index past the end", at("x", add(i, num(1))), "runs outside the batch for a batch of m = 4"),
    ("index zero", at("x", num(0)), "runs outside the batch"),
    ("fractional index", at("x", num("1/2")), "not a whole number"),
    ("index from a non-whole scalar", at("x", a), "not a whole number"),
    ("two indices", sympy.Indexed(sympy.IndexedBase("x"), i, j), "only one index"),
    ("long sum", total(j, j, 1, 10**5), "too many terms"),
    ("huge sum limit", total(j, j, 1, 10**40), "far too large"),
    ("nested long sums", total(total(mul(j, k), k, 1, 200), j, 1, 200), "too many terms"),
    ("sum limit not whole", total(x_j, j, 1, c), "not a whole number"),
    ("unsupported function", sympy.sin(a, evaluate=False), "(sin)"),
    ("undefined function", sympy.Function("f")(a), "(f)"),
    ("deep tree", _deep(400), "nested too deeply"),
    ("long sum of a large body", total(_wide(20), j, 1, 2_000), "too many steps"),
]


@pytest.mark.parametrize(("name", "tree", "message"), ERRORS, ids=[c[0] for c in ERRORS])
def test_refusals_carry_a_student_message(
    name: str, tree: sympy.Basic, message: str, batch: SampleBatch
) -> None:
    with pytest.raises(EvaluationError) as raised:
        evaluate(tree, batch)
    assert message in raised.value.message


def test_sum_binding_is_restored_after_the_sum(batch: SampleBatch) -> None:
    tree = add(total(at("x", i), i, 1, 2), x_i)
    expected = batch.values["x"][:, :2].sum(1) + _row(batch.values["x"], batch.indices["i"])
    np.testing.assert_allclose(evaluate(tree, batch), expected)
    assert evaluate(x_i, batch) == pytest.approx(_row(batch.values["x"], batch.indices["i"]))


def test_sample_arrays_are_not_modified(batch: SampleBatch) -> None:
    before = {name: value.copy() for name, value in batch.values.items()}
    evaluate(add(a, mul(b, total(x_j)), relu(neg(c))), batch)
    for name, value in batch.values.items():
        np.testing.assert_array_equal(value, before[name])


def _matrix_batch(rng: np.random.Generator, draws: int = 3) -> SampleBatch:
    values = {
        "A": rng.normal(size=(draws, 3, 2)),
        "B": rng.normal(size=(draws, 2, 4)),
        "S": rng.normal(size=(draws, 3, 3)) + 3 * np.eye(3),
        "v": rng.normal(size=(draws, 2)),
        "u": rng.normal(size=(draws, 4)),
        "o": np.ones((draws, 3, 1)),
        "s": rng.normal(size=draws),
    }
    return SampleBatch(size=3, values=values)


A, B, S, v, u, o = (mat(name) for name in "ABSvuo")
s = sym("s")
MATRIX_CASES: list[tuple[str, sympy.Basic, Callable[[Values], FloatArray]]] = [
    ("product", mul(A, B), lambda w: w["A"] @ w["B"]),
    ("transpose", tr(A), lambda w: np.swapaxes(w["A"], 1, 2)),
    ("transpose of a product", tr(mul(A, B)), lambda w: np.swapaxes(w["A"] @ w["B"], 1, 2)),
    ("matrix times vector", mul(A, v), lambda w: np.einsum("krc,kc->kr", w["A"], w["v"])),
    ("vector times matrix", mul(v, B), lambda w: np.einsum("kc,kcn->kn", w["v"], w["B"])),
    ("vector transposed is itself", tr(v), lambda w: w["v"]),
    ("bias added to rows", add(mul(A, B), u), lambda w: w["A"] @ w["B"] + w["u"][:, None, :]),
    ("bias first", add(u, mul(A, B)), lambda w: w["A"] @ w["B"] + w["u"][:, None, :]),
    (
        "ones column times vector",
        mul(o, u),
        lambda w: np.einsum("kr,kn->krn", w["o"][..., 0], w["u"]),
    ),
    ("inverse", power(S, -1), lambda w: np.linalg.inv(w["S"])),
    ("inverse times matrix", mul(power(S, -1), S), lambda w: np.broadcast_to(np.eye(3), (3, 3, 3))),
    ("square", power(S, 2), lambda w: w["S"] @ w["S"]),
    ("negative power", power(S, -2), lambda w: np.linalg.inv(w["S"] @ w["S"])),
    ("scalar times matrix", mul(s, A), lambda w: w["s"][:, None, None] * w["A"]),
    ("matrix times scalar", mul(A, num(2), s), lambda w: 2 * w["A"] * w["s"][:, None, None]),
    ("relu of a product", relu(mul(A, B)), lambda w: np.maximum(w["A"] @ w["B"], 0)),
    ("difference", sub(mul(A, B), mul(A, B)), lambda w: np.zeros((3, 3, 4))),
]


@pytest.mark.parametrize(
    ("name", "tree", "expected"), MATRIX_CASES, ids=[c[0] for c in MATRIX_CASES]
)
def test_matrix_trees_match_numpy(
    name: str, tree: sympy.Basic, expected: Callable[[Values], FloatArray]
) -> None:
    batch = _matrix_batch(np.random.default_rng(3))
    np.testing.assert_allclose(evaluate(tree, batch), expected(dict(batch.values)), atol=1e-12)


MATRIX_ERRORS = [
    ("non-conforming product", mul(A, A), "do not fit together"),
    ("sum of different shapes", add(A, B), "do not fit together"),
    ("scalar plus matrix", add(s, A), "do not fit together"),
    ("vector times vector", mul(v, v), "do not fit together"),
    ("square root of a matrix", sqrt(S), "whole-number power"),
    ("inverse of a non-square matrix", power(A, -1), "do not fit together"),
    ("matrix exponent", power(num(2), A), "must be a number"),
    ("huge matrix power", power(S, 10**6), "whole-number power"),
    ("exp of a matrix", sympy.exp(A, evaluate=False), "applies to numbers"),
]


@pytest.mark.parametrize(
    ("name", "tree", "message"), MATRIX_ERRORS, ids=[c[0] for c in MATRIX_ERRORS]
)
def test_matrix_refusals(name: str, tree: sympy.Basic, message: str) -> None:
    with pytest.raises(EvaluationError) as raised:
        evaluate(tree, _matrix_batch(np.random.default_rng(3)))
    assert message in raised.value.message


def test_singular_draw_inverts_to_nan_and_leaves_others_intact() -> None:
    batch = _matrix_batch(np.random.default_rng(3))
    matrices = batch.values["S"].copy()
    matrices[1] = np.outer([1.0, 2.0, 3.0], [1.0, 0.0, -1.0])
    singular = SampleBatch(size=3, values={"S": matrices})
    result = evaluate(power(S, -1), singular)
    assert np.isnan(result[1]).all()
    np.testing.assert_allclose(result[[0, 2]], np.linalg.inv(matrices[[0, 2]]))
