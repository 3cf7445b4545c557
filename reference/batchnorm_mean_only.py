"""Mean-only batch norm (xhat_i = x_i - mu, y_i = gamma xhat_i + beta): dL/dx_i by SymPy."""

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any, cast

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
MAX_BATCH = 256
"""Largest batch differentiated with concrete symbols."""


@dataclass(frozen=True)
class MeanOnlySymbols:
    """Symbols of the symbolic-n derivation: dL/dx_i is written with upstream[j] = dL/dy_j."""

    i: sp.Symbol
    j: sp.Symbol
    n: sp.Symbol
    gamma: sp.Symbol
    x: sp.IndexedBase
    upstream: sp.IndexedBase


SYMBOLS = MeanOnlySymbols(
    i=sp.Symbol("i", integer=True, positive=True),
    j=sp.Symbol("j", integer=True, positive=True),
    n=sp.Symbol("n", integer=True, positive=True),
    gamma=sp.Symbol("gamma", real=True),
    x=sp.IndexedBase("x", real=True),
    upstream=sp.IndexedBase("dL_dy", real=True),
)
_K = sp.Symbol("k", integer=True, positive=True)


def _output_j() -> sp.Expr:
    """y_j in terms of the x's, with mu written as a Sum over the whole batch."""
    s = SYMBOLS
    mu = sp.Sum(s.x[_K], (_K, 1, s.n)) / s.n
    return cast(sp.Expr, s.gamma * (s.x[s.j] - mu) + sp.Symbol("beta", real=True))


def _inside_batch(expr: sp.Expr) -> sp.Expr:
    # Summing a KroneckerDelta leaves Piecewise(..., i <= n); the index i is in 1..n.
    s = SYMBOLS
    return cast(sp.Expr, expr.doit().subs(sp.Le(s.i, s.n), sp.true))


@lru_cache(maxsize=1)
def mean_only_gradient_symbolic() -> sp.Expr:
    """dL/dx_i for symbolic n, as gamma*(dL_dy[i] - Sum(dL_dy[j], (j, 1, n))/n), derived."""
    s = SYMBOLS
    loss = sp.Sum(s.upstream[s.j] * _output_j(), (s.j, 1, s.n))
    return cast(sp.Expr, sp.factor_terms(_inside_batch(sp.diff(loss, s.x[s.i]))))


def mean_only_value_at_one() -> Fraction | int:
    """dL/dx_1 when the batch holds a single sample."""
    s = SYMBOLS
    value = sp.simplify(mean_only_gradient_symbolic().subs(s.n, 1).doit().subs(s.i, 1))
    if not value.is_Rational:
        raise ArithmeticError(f"the n = 1 gradient did not reduce to a number: {value}")
    number = Fraction(int(value.p), int(value.q))
    return int(number) if number.denominator == 1 else number


@lru_cache(maxsize=1)
def _limit_coefficients() -> tuple[sp.Expr, sp.Expr]:
    """lim_{n->oo} of the Jacobian entry dy_j/dx_i on (j = i) and off (j != i) the diagonal."""
    s = SYMBOLS
    entry = _inside_batch(sp.diff(_output_j(), s.x[s.i]))
    diagonal = entry.subs(s.j, s.i)
    off = entry.replace(lambda e: isinstance(e, sp.KroneckerDelta), lambda e: sp.Integer(0))
    return sp.limit(diagonal, s.n, sp.oo), sp.limit(off, s.n, sp.oo)


def mean_only_limit(dy_i: ArrayLike | float, *, gamma: ArrayLike | float) -> FloatArray | float:
    """The n -> oo limit of dL/dx_i, each upstream gradient held fixed as n grows."""
    diagonal, off = _limit_coefficients()
    # Every other sample's entry tends to zero, so only dL/dy_i survives in the limit.
    if off != 0:
        raise ArithmeticError(f"off-diagonal Jacobian entries tend to {off}, not 0")
    coefficient = sp.lambdify([SYMBOLS.gamma], diagonal, "numpy")
    result = np.asarray(coefficient(np.asarray(gamma, dtype=np.float64))) * np.asarray(
        dy_i, dtype=np.float64
    )
    return float(result) if result.ndim == 0 else result


@lru_cache(maxsize=32)
def _mean_only_numeric(n: int) -> Callable[..., Any]:
    xs = [sp.Symbol(f"x_{k}", real=True) for k in range(1, n + 1)]
    dys = [sp.Symbol(f"dy_{k}", real=True) for k in range(1, n + 1)]
    gamma, beta = sp.Symbol("gamma", real=True), sp.Symbol("beta", real=True)
    mu = sp.Add(*xs) / n
    loss = sp.Add(*[dy * (gamma * (x - mu) + beta) for dy, x in zip(dys, xs, strict=True)])
    # lambdify only ever sees expressions built above from our own symbols.
    grads = [sp.diff(loss, x) for x in xs]
    return cast(Callable[..., Any], sp.lambdify([*dys, gamma], grads, "numpy"))


def mean_only_gradient(dy: ArrayLike, *, gamma: ArrayLike) -> FloatArray:
    """dL/dx_i for every i, from dy = dL/dy along the last axis (leading axes are batches)."""
    upstream = np.asarray(dy, dtype=np.float64)
    n = upstream.shape[-1] if upstream.ndim else 0
    if not 1 <= n <= MAX_BATCH:
        raise ValueError(f"batch size must be in 1..{MAX_BATCH}, got {n}")
    g = np.asarray(gamma, dtype=np.float64)
    batch = np.broadcast_shapes(upstream.shape[:-1], g.shape)
    columns = np.moveaxis(np.broadcast_to(upstream, (*batch, n)), -1, 0)
    values = _mean_only_numeric(n)(*columns, g)
    return np.stack([np.broadcast_to(np.asarray(v, dtype=np.float64), batch) for v in values], -1)
