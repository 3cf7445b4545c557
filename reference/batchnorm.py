"""Batch norm of one scalar feature over a batch x_1..x_m: forward pass and numeric gradients.

The gradients evaluate the SymPy derivation in reference.batchnorm_symbolic; the mean-only
variant lives in reference.batchnorm_mean_only. Both are re-exported here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray

from reference.batchnorm_mean_only import (
    mean_only_gradient,
    mean_only_gradient_symbolic,
    mean_only_limit,
    mean_only_value_at_one,
)
from reference.batchnorm_symbolic import (
    EPS,
    GAMMA,
    BatchNormSymbolic,
    adjoints,
    check_batch,
    dmu_expression,
    dx_expressions,
    symbolic_gradients,
)

__all__ = [
    "BatchNormForward",
    "BatchNormGradients",
    "BatchNormSymbolic",
    "forward",
    "gradients",
    "mean_only_gradient",
    "mean_only_gradient_symbolic",
    "mean_only_limit",
    "mean_only_value_at_one",
    "symbolic_gradients",
]

FloatArray = NDArray[np.float64]
PATHS = frozenset({"mu", "var"})


@dataclass(frozen=True)
class BatchNormForward:
    """Every intermediate of the forward pass (mu and var per batch, xhat and y per sample)."""

    mu: FloatArray
    var: FloatArray
    xhat: FloatArray
    y: FloatArray


@dataclass(frozen=True)
class BatchNormGradients:
    """Numeric gradients; per-sample ones end in an axis of length m."""

    dgamma: FloatArray
    dbeta: FloatArray
    dxhat: FloatArray
    dvar: FloatArray
    dmu: FloatArray
    dx: FloatArray


def forward(
    x: ArrayLike, *, gamma: ArrayLike, beta: ArrayLike, eps: ArrayLike, unbiased: bool = False
) -> BatchNormForward:
    """Training-time forward pass over the last axis of x (leading axes are separate batches)."""
    values = np.asarray(x, dtype=np.float64)
    m = values.shape[-1] if values.ndim else 0
    check_batch(m, unbiased)
    mu = values.mean(axis=-1)
    centred = values - mu[..., None]
    var = (centred**2).sum(axis=-1) / (m - 1 if unbiased else m)
    xhat = centred / np.sqrt(var + np.asarray(eps, dtype=np.float64))[..., None]
    y = _column(gamma) * xhat + _column(beta)
    return BatchNormForward(mu=np.asarray(mu), var=np.asarray(var), xhat=xhat, y=y)


def _column(value: ArrayLike) -> FloatArray:
    # A per-batch scalar broadcasts against the sample axis once it has one of its own.
    return np.expand_dims(np.asarray(value, dtype=np.float64), -1)


def _lambdify(arguments: list[sp.Symbol], exprs: object) -> Callable[..., Any]:
    # lambdify only ever sees expressions built in batchnorm_symbolic from our own symbols.
    return cast(Callable[..., Any], sp.lambdify(arguments, exprs, "numpy", cse=True))


@lru_cache(maxsize=32)
def _numeric(m: int, unbiased: bool, drop_paths: frozenset[str]) -> Callable[..., list[Any]]:
    """Evaluate the node definitions forward, then the adjoints in terms of node values."""
    a = adjoints(m, unbiased)
    g = a.graph
    # Node-form adjoints stay linear in m; substituting every node down to x first grows
    # them quadratically and makes lambdify's common-subexpression pass slow.
    mean = _lambdify([*g.x], g.mu_def)
    var = _lambdify([*g.x, g.mu_node], g.var_def)
    xhat = _lambdify([*g.x, g.mu_node, g.var_node, EPS], list(g.xhat_defs))
    exprs = [a.dgamma, a.dbeta, a.dvar, dmu_expression(a, drop_paths), *a.dxhat]
    nodes = [g.mu_node, g.var_node, *g.xhat_nodes]
    adjoint = _lambdify([*g.x, *g.dy, GAMMA, EPS, *nodes], [*exprs, *dx_expressions(a, drop_paths)])

    def evaluate(*args: Any) -> list[Any]:
        xs, dys, gamma, eps = args[:m], args[m : 2 * m], args[-2], args[-1]
        mu = mean(*xs)
        sigma2 = var(*xs, mu)
        normalised = xhat(*xs, mu, sigma2, eps)
        return cast(list[Any], adjoint(*xs, *dys, gamma, eps, mu, sigma2, *normalised))

    return evaluate


def _samples(x: ArrayLike, dy: ArrayLike, unbiased: bool) -> tuple[FloatArray, FloatArray]:
    xs, dys = np.asarray(x, dtype=np.float64), np.asarray(dy, dtype=np.float64)
    check_batch(xs.shape[-1] if xs.ndim else 0, unbiased)
    if dys.shape[-1:] != xs.shape[-1:]:
        raise ValueError(f"dy must have {xs.shape[-1]} entries along its last axis, like x")
    return xs, dys


def gradients(
    x: ArrayLike,
    dy: ArrayLike,
    *,
    gamma: ArrayLike,
    eps: ArrayLike,
    unbiased: bool = False,
    drop_paths: frozenset[str] = frozenset(),
) -> BatchNormGradients:
    """Numeric gradients of f = sum_i dy_i y_i; drop_paths ("mu", "var") models mistakes."""
    if not drop_paths <= PATHS:
        raise ValueError(f"drop_paths may hold only {sorted(PATHS)}, got {sorted(drop_paths)}")
    xs, dys = _samples(x, dy, unbiased)
    g, e = np.asarray(gamma, dtype=np.float64), np.asarray(eps, dtype=np.float64)
    m, batch = xs.shape[-1], np.broadcast_shapes(xs.shape[:-1], dys.shape[:-1], g.shape, e.shape)
    # One column per sample symbol: numpy broadcasting then evaluates every batch at once.
    columns = [*np.moveaxis(np.broadcast_to(xs, (*batch, m)), -1, 0)]
    columns += [*np.moveaxis(np.broadcast_to(dys, (*batch, m)), -1, 0)]
    values = _numeric(m, unbiased, drop_paths)(*columns, g, e)
    out = [np.broadcast_to(np.asarray(v, dtype=np.float64), batch) for v in values]
    return BatchNormGradients(
        dgamma=out[0],
        dbeta=out[1],
        dvar=out[2],
        dmu=out[3],
        dxhat=np.stack(out[4 : 4 + m], axis=-1),
        dx=np.stack(out[4 + m :], axis=-1),
    )
