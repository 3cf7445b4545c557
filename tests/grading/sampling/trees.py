"""Hand-built SymPy trees in the parser's conventions (evaluate=False, ordered products)."""

import numpy as np
import sympy
from numpy.typing import NDArray

from app.grading.mathparse.functions import ReLU, Transpose
from app.grading.sampling.batch import SampleBatch

i = sympy.Symbol("i", integer=True)
j = sympy.Symbol("j", integer=True)
k = sympy.Symbol("k", integer=True)
m = sympy.Symbol("m")


def sym(name: str) -> sympy.Symbol:
    """A scalar symbol."""
    return sympy.Symbol(name)


def mat(name: str) -> sympy.Symbol:
    """A vector or matrix symbol."""
    return sympy.Symbol(name, commutative=False)


def at(name: str, index: sympy.Expr) -> sympy.Indexed:
    """name_index."""
    return sympy.Indexed(sympy.IndexedBase(name), index)


def add(*terms: sympy.Basic) -> sympy.Expr:
    """a + b + ..."""
    return sympy.Add(*terms, evaluate=False)


def mul(*factors: sympy.Basic) -> sympy.Expr:
    """a b ... in order."""
    return sympy.Mul(*factors, evaluate=False)


def neg(term: sympy.Basic) -> sympy.Expr:
    """-a."""
    return mul(sympy.Integer(-1), term)


def sub(left: sympy.Basic, right: sympy.Basic) -> sympy.Expr:
    """a - b as the parser builds it."""
    return add(left, neg(right))


def power(base: sympy.Basic, exponent: sympy.Basic | int) -> sympy.Expr:
    """base^exponent."""
    return sympy.Pow(base, sympy.sympify(exponent), evaluate=False)


def div(left: sympy.Basic, right: sympy.Basic) -> sympy.Expr:
    """a / b as the parser builds it."""
    return mul(left, power(right, -1))


def sqrt(term: sympy.Basic) -> sympy.Expr:
    """sqrt(a)."""
    return power(term, sympy.Rational(1, 2))


def num(value: int | str) -> sympy.Expr:
    """An Integer, or a Rational/Float from text such as "1/2" or "0.5"."""
    if isinstance(value, int):
        return sympy.Integer(value)
    return sympy.Float(value) if "." in value else sympy.Rational(value)


def total(
    body: sympy.Basic, index: sympy.Symbol = j, low: object = 1, high: object = m
) -> sympy.Expr:
    """sum_{index=low}^{high} body."""
    return sympy.Sum(body, (index, low, high))


def relu(term: sympy.Basic) -> sympy.Expr:
    """ReLU(a)."""
    return ReLU(term, evaluate=False)


def tr(term: sympy.Basic) -> sympy.Expr:
    """a^T."""
    return Transpose(term, evaluate=False)


def scalar_batch(
    rng: np.random.Generator,
    *,
    draws: int = 5,
    size: int = 4,
    indexed: tuple[str, ...] = ("x", "y"),
) -> SampleBatch:
    """Random scalars a, b, c (c > 0), m = size, indexed symbols, and i cycling over 1..size."""
    values: dict[str, NDArray[np.float64]] = {
        "a": rng.normal(size=draws),
        "b": rng.normal(size=draws),
        "c": rng.uniform(0.5, 2.0, draws),
        "m": np.full(draws, float(size)),
    }
    values |= {name: rng.normal(size=(draws, size)) for name in indexed}
    positions = (np.arange(draws) % size + 1).astype(np.int64)
    return SampleBatch(
        size=size,
        values=values,
        indexed=frozenset(indexed),
        indices={"i": positions},
        size_symbol="m",
    )
