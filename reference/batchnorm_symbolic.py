"""Batch-norm gradients derived with SymPy from the forward pass, not transcribed.

The forward pass is written as a graph of nodes (mu, var, xhat_i, y_i), each an independent
symbol; each node's definition is differentiated and df/d(node) is accumulated in reverse
order, keeping apart the paths into x_k (through xhat, through var, through mu).
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import cast

import sympy as sp

MAX_BATCH = 64
"""Largest batch differentiated symbolically; the expressions grow with m squared."""


GAMMA, BETA = sp.Symbol("gamma", real=True), sp.Symbol("beta", real=True)
EPS = sp.Symbol("epsilon", positive=True)


@dataclass(frozen=True)
class BatchNormSymbolic:
    """df/d(node) for every node, in terms of x_k, dy_k = df/dy_k, gamma and eps."""

    x: tuple[sp.Symbol, ...]
    dy: tuple[sp.Symbol, ...]
    gamma: sp.Symbol
    beta: sp.Symbol
    eps: sp.Symbol
    dgamma: sp.Expr
    dbeta: sp.Expr
    dxhat: tuple[sp.Expr, ...]
    dvar: sp.Expr
    dmu: sp.Expr
    """Total derivative at the mu node, including the path mu -> var."""
    dmu_direct: sp.Expr
    """Derivative at the mu node through xhat only (var held fixed)."""
    dx: tuple[sp.Expr, ...]


def check_batch(m: int, unbiased: bool) -> None:
    """Raise ValueError unless m is a batch size the derivation supports."""
    smallest = 2 if unbiased else 1
    if isinstance(m, bool) or not smallest <= m <= MAX_BATCH:
        raise ValueError(f"batch size must be in {smallest}..{MAX_BATCH}, got {m!r}")


def _numbered(name: str, m: int) -> tuple[sp.Symbol, ...]:
    return tuple(sp.Symbol(f"{name}_{k}", real=True) for k in range(1, m + 1))


@dataclass(frozen=True)
class Graph:
    """The forward pass as node definitions, each node an independent symbol."""

    x: tuple[sp.Symbol, ...]
    dy: tuple[sp.Symbol, ...]
    xhat_nodes: tuple[sp.Symbol, ...]
    mu_node: sp.Symbol
    var_node: sp.Symbol
    mu_def: sp.Expr
    var_def: sp.Expr
    xhat_defs: tuple[sp.Expr, ...]
    y_defs: tuple[sp.Expr, ...]


def _graph(m: int, unbiased: bool) -> Graph:
    x, mu, var = _numbered("x", m), sp.Symbol("mu", real=True), sp.Symbol("sigma2", positive=True)
    xhat = _numbered("xhat", m)
    return Graph(
        x=x,
        dy=_numbered("dy", m),
        xhat_nodes=xhat,
        mu_node=mu,
        var_node=var,
        mu_def=sp.Add(*x) / m,
        var_def=sp.Add(*[(xk - mu) ** 2 for xk in x]) / (m - 1 if unbiased else m),
        xhat_defs=tuple((xk - mu) / sp.sqrt(var + EPS) for xk in x),
        y_defs=tuple(GAMMA * h + BETA for h in xhat),
    )


def _chain(upstream: tuple[sp.Expr, ...], defs: tuple[sp.Expr, ...], wrt: sp.Symbol) -> sp.Expr:
    """Sum over consumers i of df/d(node_i) * d(node_i)/d(wrt): one reverse-mode step."""
    return sp.Add(*[g * sp.diff(d, wrt) for g, d in zip(upstream, defs, strict=True)])


@dataclass(frozen=True)
class Adjoints:
    """Reverse-mode adjoints at each node, and the separate paths into each x_k."""

    graph: Graph
    dgamma: sp.Expr
    dbeta: sp.Expr
    dxhat: tuple[sp.Expr, ...]
    dvar: sp.Expr
    dmu_direct: sp.Expr
    dmu_via_var: sp.Expr
    dx_direct: tuple[sp.Expr, ...]
    dx_via_var: tuple[sp.Expr, ...]
    dmu_dx: tuple[sp.Expr, ...]


@lru_cache(maxsize=32)
def adjoints(m: int, unbiased: bool) -> Adjoints:
    """Differentiate each node's definition and accumulate df/d(node) from y back to x."""
    g = _graph(m, unbiased)
    # f = sum_i dy_i * y_i, so df/dy_i = dy_i: each y node's adjoint is its dy symbol.
    dy = tuple(cast(sp.Expr, s) for s in g.dy)
    dxhat = tuple(_chain(dy, g.y_defs, node) for node in g.xhat_nodes)
    dvar = _chain(dxhat, g.xhat_defs, g.var_node)
    return Adjoints(
        graph=g,
        dgamma=_chain(dy, g.y_defs, GAMMA),
        dbeta=_chain(dy, g.y_defs, BETA),
        dxhat=dxhat,
        dvar=dvar,
        dmu_direct=_chain(dxhat, g.xhat_defs, g.mu_node),
        dmu_via_var=dvar * sp.diff(g.var_def, g.mu_node),
        dx_direct=tuple(_chain(dxhat, g.xhat_defs, xk) for xk in g.x),
        dx_via_var=tuple(dvar * sp.diff(g.var_def, xk) for xk in g.x),
        dmu_dx=tuple(sp.diff(g.mu_def, xk) for xk in g.x),
    )


def to_leaves(g: Graph, expr: sp.Expr) -> sp.Expr:
    """Replace node symbols by their definitions, last node first, down to x, gamma, eps."""
    expr = expr.xreplace(dict(zip(g.xhat_nodes, g.xhat_defs, strict=True)))
    expr = expr.xreplace({g.var_node: g.var_def})
    return cast(sp.Expr, expr.xreplace({g.mu_node: g.mu_def}))


def dmu_expression(a: Adjoints, drop_paths: frozenset[str]) -> sp.Expr:
    """df/dmu at the mu node, without the path through var when "var" is dropped."""
    return a.dmu_direct if "var" in drop_paths else a.dmu_direct + a.dmu_via_var


def dx_expressions(a: Adjoints, drop_paths: frozenset[str]) -> tuple[sp.Expr, ...]:
    """df/dx_k for each k, leaving out the paths named in drop_paths."""
    dmu = dmu_expression(a, drop_paths)
    terms = []
    for direct, via_var, dmu_dx in zip(a.dx_direct, a.dx_via_var, a.dmu_dx, strict=True):
        total = direct + (0 if "var" in drop_paths else via_var)
        terms.append(total + (0 if "mu" in drop_paths else dmu * dmu_dx))
    return tuple(terms)


def symbolic_gradients(m: int, *, unbiased: bool = False) -> BatchNormSymbolic:
    """Every df/d(node) of batch norm for a batch of m, derived by SymPy differentiation."""
    # Checked before the cache: lru_cache would hand True the entry cached for 1.
    check_batch(m, unbiased)
    return _symbolic(m, unbiased)


@lru_cache(maxsize=32)
def _symbolic(m: int, unbiased: bool) -> BatchNormSymbolic:
    a = adjoints(m, unbiased)
    g = a.graph

    def leaves(exprs: tuple[sp.Expr, ...]) -> tuple[sp.Expr, ...]:
        return tuple(to_leaves(g, e) for e in exprs)

    return BatchNormSymbolic(
        x=g.x,
        dy=g.dy,
        gamma=GAMMA,
        beta=BETA,
        eps=EPS,
        dgamma=to_leaves(g, a.dgamma),
        dbeta=to_leaves(g, a.dbeta),
        dxhat=leaves(a.dxhat),
        dvar=to_leaves(g, a.dvar),
        dmu=to_leaves(g, dmu_expression(a, frozenset())),
        dmu_direct=to_leaves(g, a.dmu_direct),
        dx=leaves(dx_expressions(a, frozenset())),
    )
