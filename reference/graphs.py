"""Computational graphs traced from running code rather than drawn by hand."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

Edge = tuple[str, str]
EPS = 1e-5


@dataclass(frozen=True)
class EdgeSet:
    """Edges every valid formulation has (required) and those only some have (optional)."""

    required: frozenset[Edge]
    optional: frozenset[Edge]


@dataclass(frozen=True)
class Traced:
    """A number that remembers which named nodes it was computed from."""

    value: float
    reads: frozenset[str] = frozenset()

    def _with(self, other: Traced | float, op: Callable[[float, float], float]) -> Traced:
        o = other if isinstance(other, Traced) else Traced(float(other))
        return Traced(op(self.value, o.value), self.reads | o.reads)

    def __add__(self, other: Traced | float) -> Traced:
        return self._with(other, lambda a, b: a + b)

    def __radd__(self, other: float) -> Traced:
        return self._with(other, lambda a, b: b + a)

    def __sub__(self, other: Traced | float) -> Traced:
        return self._with(other, lambda a, b: a - b)

    def __rsub__(self, other: float) -> Traced:
        return self._with(other, lambda a, b: b - a)

    def __mul__(self, other: Traced | float) -> Traced:
        return self._with(other, lambda a, b: a * b)

    def __rmul__(self, other: float) -> Traced:
        return self._with(other, lambda a, b: b * a)

    def __truediv__(self, other: Traced | float) -> Traced:
        return self._with(other, lambda a, b: a / b)

    def __rtruediv__(self, other: float) -> Traced:
        return self._with(other, lambda a, b: b / a)

    def __pow__(self, exponent: float) -> Traced:
        return Traced(self.value**exponent, self.reads)

    def sqrt(self) -> Traced:
        """The square root, reading what self reads."""
        return Traced(math.sqrt(self.value), self.reads)


class Tracer:
    """Names values as graph nodes, recording an edge from each node a value was read from."""

    def __init__(self) -> None:
        self._edges: set[Edge] = set()
        self._names: set[str] = set()

    def node(self, name: str, values: Sequence[Traced]) -> list[Traced]:
        """Record edges into `name` and return the values as reads of `name` alone."""
        if name in self._names:
            raise ValueError(f"node {name!r} is defined twice")
        self._names.add(name)
        self._edges.update((source, name) for value in values for source in value.reads)
        return [Traced(value.value, frozenset({name})) for value in values]

    @property
    def edges(self) -> frozenset[Edge]:
        """Every edge recorded so far."""
        return frozenset(self._edges)


def _mean(values: Sequence[Traced]) -> Traced:
    return sum(values, Traced(0.0)) / len(values)


def _normalise(
    t: Tracer, x: list[Traced], mu: Traced, var: Traced, gamma: Traced, beta: Traced
) -> list[Traced]:
    z = t.node("Z", [(xi - mu) / (var + EPS).sqrt() for xi in x])
    return t.node("Y", [gamma * zi + beta for zi in z])


def _centred_variance(t: Tracer, x: list[Traced], gamma: Traced, beta: Traced) -> list[Traced]:
    """sigma^2 = mean((X - mu)^2): the variance reads mu."""
    (mu,) = t.node("mu", [_mean(x)])
    (var,) = t.node("sigma^2", [_mean([(xi - mu) ** 2 for xi in x])])
    return _normalise(t, x, mu, var, gamma, beta)


def _raw_moments(t: Tracer, x: list[Traced], gamma: Traced, beta: Traced) -> list[Traced]:
    """sigma^2 = mean(X^2) - mean(X)^2: the variance recomputes the mean from X."""
    (mu,) = t.node("mu", [_mean(x)])
    (var,) = t.node("sigma^2", [_mean([xi**2 for xi in x]) - _mean(x) ** 2])
    return _normalise(t, x, mu, var, gamma, beta)


Formulation = Callable[[Tracer, list[Traced], Traced, Traced], list[Traced]]
_FORMULATIONS: tuple[Formulation, ...] = (_centred_variance, _raw_moments)
_SAMPLE, _GAMMA, _BETA = (1.0, 2.0, 4.0, -3.0), 1.5, -0.5


def _trace(formulation: Formulation) -> tuple[frozenset[Edge], list[float]]:
    t = Tracer()
    x = t.node("X", [Traced(v) for v in _SAMPLE])
    (gamma,) = t.node("gamma", [Traced(_GAMMA)])
    (beta,) = t.node("beta", [Traced(_BETA)])
    y = formulation(t, x, gamma, beta)
    return t.edges, [v.value for v in y]


@lru_cache(maxsize=1)
def batchnorm_training_graph() -> EdgeSet:
    """Edges of training-time batch norm over X, gamma, beta, mu, sigma^2, Z, Y."""
    traces = [_trace(f) for f in _FORMULATIONS]
    # Formulations that disagree on Y would not be batch norm; refuse to mix their edges.
    reference_y = traces[0][1]
    if any(not all(map(math.isclose, y, reference_y)) for _, y in traces):
        raise ArithmeticError("the batch-norm formulations compute different outputs")
    edge_sets = [edges for edges, _ in traces]
    required = frozenset.intersection(*edge_sets)
    return EdgeSet(required=required, optional=frozenset.union(*edge_sets) - required)
