"""Dropout and Tikhonov regularisation of least squares, as closed forms and exact solutions.

The multiplicative-noise coefficients live in reference.multiplicative_noise (re-exported).
"""

from collections.abc import Callable, Sequence
from fractions import Fraction
from functools import lru_cache
from itertools import product
from typing import Any, cast

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray

from reference.exact import Matrix, Rational, apply, matmul, pinv, to_matrix, transpose
from reference.multiplicative_noise import (
    multiplicative_noise_coefficients,
    multiplicative_noise_values,
)

__all__ = [
    "dropout_least_squares",
    "dropout_to_tikhonov",
    "min_norm_solution",
    "multiplicative_noise_coefficients",
    "multiplicative_noise_values",
    "tikhonov_to_ridge_design",
]

FloatArray = NDArray[np.float64]
MAX_DROPOUT_FEATURES = 12
"""Most features of one sample whose 2^d dropout masks are enumerated."""
_P = sp.Symbol("p", positive=True)


@lru_cache(maxsize=1)
def _dropout_scalars() -> Callable[..., Any]:
    """(a, c) with w = a w~ and Gamma = c Gamma~, solved from matching both losses."""
    a, c = sp.symbols("a c", real=True)
    # One scalar stands for each vector quantity: y, u = X w~, g = Gamma~ w~.
    y, u, g = sp.symbols("y u g", real=True)
    dropout = (y - _P * u) ** 2 + _P * (1 - _P) * g**2
    tikhonov = (y - a * u) ** 2 + (c * a * g) ** 2
    equations = sp.Poly(sp.expand(dropout - tikhonov), y, u, g).coeffs()
    # c and -c give the same penalty; keep the non-negative root (checked inside 0 < p < 1).
    solutions = sp.solve(equations, [a, c], dict=True)
    (solution,) = [s for s in solutions if s[c].subs(_P, sp.Rational(1, 2)) >= 0]
    # lambdify only ever sees the expressions solved for above.
    return cast(Callable[..., Any], sp.lambdify([_P], [solution[a], solution[c]], "numpy"))


def dropout_to_tikhonov(
    *, p: ArrayLike | float, w_tilde: ArrayLike, gamma_tilde: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """(w, Gamma) making the dropout objective (keep probability p) a Tikhonov one."""
    keep = np.asarray(p, dtype=np.float64)
    if not np.all((keep > 0) & (keep <= 1)):
        raise ValueError("the keep probability p must lie in (0, 1]")
    a, c = (np.asarray(v, dtype=np.float64) for v in _dropout_scalars()(keep))
    w = a[..., None] * np.asarray(w_tilde, dtype=np.float64)
    gamma = c[..., None, None] * np.asarray(gamma_tilde, dtype=np.float64)
    return w, gamma


def tikhonov_to_ridge_design(*, x: ArrayLike, gamma: ArrayLike) -> FloatArray:
    """X~ = X Gamma^-1, so that X w = X~ w~ for w~ = Gamma w (leading axes are batches)."""
    design, g = np.asarray(x, dtype=np.float64), np.asarray(gamma, dtype=np.float64)
    # X~ Gamma = X is solved as Gamma^T X~^T = X^T: no explicit inverse.
    try:
        solved = np.linalg.solve(np.swapaxes(g, -1, -2), np.swapaxes(design, -1, -2))
    except np.linalg.LinAlgError as error:
        raise ValueError(f"Gamma must be square and invertible: {error}") from error
    return np.swapaxes(solved, -1, -2)


def min_norm_solution(
    *, x: Sequence[Sequence[Rational]], y: Sequence[Rational]
) -> tuple[Fraction, ...]:
    """The minimum-norm least-squares w = pinv(X) y, exactly."""
    design = to_matrix(x)
    if len(y) != len(design):
        raise ValueError(f"X has {len(design)} rows but y has {len(y)} entries")
    return apply(pinv(design), y)


def _masked_copies(x: Sequence[Rational], keep: Fraction) -> tuple[Matrix, list[Fraction]]:
    """Every dropout mask of one sample (survivors scaled by 1/keep) and its probability."""
    rows, weights = [], []
    for mask in product((0, 1), repeat=len(x)):
        rows.append([Fraction(v) * bit / keep for v, bit in zip(x, mask, strict=True)])
        kept = sum(mask)
        weights.append(keep**kept * (1 - keep) ** (len(x) - kept))
    return rows, weights


def dropout_least_squares(
    *, x: Sequence[Rational], y: Rational, keep: Fraction
) -> tuple[Fraction, ...]:
    """Least squares over all dropout masks of one sample, each weighted by its probability.

    With keep = 1/2 every mask is equally likely, so this is plain least squares over the
    2^d masked copies; the minimum-norm solution is taken if the copies are rank deficient.
    """
    keep = Fraction(keep)
    if not 0 < keep <= 1 or not 1 <= len(x) <= MAX_DROPOUT_FEATURES:
        raise ValueError(f"need 0 < keep <= 1 and 1..{MAX_DROPOUT_FEATURES} features")
    rows, weights = _masked_copies(x, keep)
    weighted_t = [[wt * v for v in row] for row, wt in zip(rows, weights, strict=True)]
    # Weighted normal equations A^T W A w = A^T W y; pinv picks their minimum-norm solution,
    # which is the minimum-norm weighted least-squares solution, and needs no square roots.
    gram = matmul(transpose(weighted_t), rows)
    rhs = [sum((row[j] * y for row in weighted_t), Fraction(0)) for j in range(len(x))]
    return apply(pinv(gram), rhs)
