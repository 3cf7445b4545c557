"""Expected least-squares loss under iid multiplicative feature noise, derived with SymPy.

E||y - (R o X) w||^2 = ||y - A X w||^2 + B ||Gamma w||^2, with E[R_ij] = mu, Var[R_ij] = sigma^2
and Gamma = diag(X^T X)^(1/2). A and B come from expanding a small generic case, taking the
expectation term by term, and matching coefficients.
"""

from collections.abc import Sequence
from functools import lru_cache
from typing import cast

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
MU = sp.Symbol("mu", positive=True)
SIGMA = sp.Symbol("sigma", positive=True)
# Raw moments of one noise entry; no entry appears to a power above 2 in a squared loss.
_MOMENTS = {0: sp.Integer(1), 1: MU, 2: SIGMA**2 + MU**2}
# Two samples and two features already hold every kind of term (X_ij^2 w_j^2, cross terms).
_ROWS, _COLS = 2, 2


def _expectation(expr: sp.Expr, noise: Sequence[sp.Symbol]) -> sp.Expr:
    """E[expr] for independent noise entries, from their raw moments."""
    total = sp.Integer(0)
    for powers, coefficient in sp.Poly(sp.expand(expr), *noise).terms():
        total += coefficient * sp.Mul(*[_MOMENTS[power] for power in powers])
    return cast(sp.Expr, total)


def _squared_norm(vector: sp.Matrix) -> sp.Expr:
    return cast(sp.Expr, (vector.T * vector)[0, 0])


@lru_cache(maxsize=1)
def multiplicative_noise_coefficients() -> tuple[sp.Expr, sp.Expr]:
    """(A, B) in terms of the symbols mu and sigma."""
    x = sp.Matrix(_ROWS, _COLS, lambda i, j: sp.Symbol(f"x_{i}{j}", real=True))
    r = sp.Matrix(_ROWS, _COLS, lambda i, j: sp.Symbol(f"r_{i}{j}", real=True))
    y = sp.Matrix(_ROWS, 1, lambda i, _: sp.Symbol(f"y_{i}", real=True))
    w = sp.Matrix(_COLS, 1, lambda j, _: sp.Symbol(f"w_{j}", real=True))
    expected = _expectation(_squared_norm(y - r.multiply_elementwise(x) * w), list(r))
    a, b = sp.symbols("A B", real=True)
    gram_diagonal = [sum(x[i, j] ** 2 for i in range(_ROWS)) for j in range(_COLS)]
    penalty = sum(g * w[j] ** 2 for j, g in enumerate(gram_diagonal))  # ||Gamma w||^2
    mismatch = sp.expand(expected - _squared_norm(y - a * x * w) - b * penalty)
    # The identity must hold for every X, y, w: each coefficient of the difference is zero.
    equations = sp.Poly(mismatch, *x, *y, *w).coeffs()
    solutions = sp.solve(equations, [a, b], dict=True)
    if len(solutions) != 1:
        raise ArithmeticError(f"expected one (A, B), found {solutions}")
    return solutions[0][a], solutions[0][b]


def multiplicative_noise_values(
    *, mu: ArrayLike | float, sigma: ArrayLike | float
) -> tuple[FloatArray, FloatArray]:
    """Numeric (A, B) for the given noise mean and standard deviation (broadcast together)."""
    mean, spread = np.asarray(mu, dtype=np.float64), np.asarray(sigma, dtype=np.float64)
    if np.any(spread < 0) or not np.all(np.isfinite(mean)) or not np.all(np.isfinite(spread)):
        raise ValueError("mu must be finite and sigma finite and non-negative")
    shape = np.broadcast_shapes(mean.shape, spread.shape)
    # lambdify only ever sees the two expressions derived above.
    a_expr, b_expr = multiplicative_noise_coefficients()
    values = sp.lambdify([MU, SIGMA], [a_expr, b_expr], "numpy")(mean, spread)
    a, b = (np.broadcast_to(np.asarray(v, dtype=np.float64), shape) for v in values)
    return a, b
