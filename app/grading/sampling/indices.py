"""Index bindings while evaluating: free indices, sum variables, and per-draw sum ranges."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from app.grading.messages import sampling as messages
from app.grading.sampling.batch import EvaluationError, FloatArray, IntArray, SampleBatch

Index = int | IntArray
"""An index value shared by all draws, or one value per draw."""

Mask = NDArray[np.bool_]
Binder = Callable[[int, Mask | None], None]

MAX_SUM_TERMS = 2_500
"""Most sum iterations, nested ones multiplied, in one evaluation of one batch."""

MAX_STEPS = 8_000
"""Most tree nodes visited, sum bodies once per term, in one evaluation of one batch."""

MAX_INDEX = 1_000_000
"""Largest absolute value an index or a sum limit may take."""


@dataclass(slots=True)
class Scope:
    """What the index letters mean at the current point of the walk.

    `active` is None outside per-draw sums; inside one it marks the draws for which the current
    term counts, so an index that is out of range only in the other draws is not an error.
    """

    batch: SampleBatch
    bindings: dict[str, Index]
    active: Mask | None = None
    budget: int = field(default=MAX_SUM_TERMS)
    steps: int = field(default=MAX_STEPS)

    @contextmanager
    def bound(self, name: str) -> Iterator[Binder]:
        """Bind `name` for the body of a sum, restoring the outer meaning afterwards."""
        outer_value, outer_active = self.bindings.get(name), self.active

        def bind(value: int, own: Mask | None = None) -> None:
            self.bindings[name] = value
            if own is not None:
                self.active = own if outer_active is None else own & outer_active

        try:
            yield bind
        finally:
            self.active = outer_active
            if outer_value is None:
                self.bindings.pop(name, None)
            else:
                self.bindings[name] = outer_value


def step(scope: Scope) -> None:
    """Charge one node visit; a long sum over a large body runs out before it runs long."""
    scope.steps -= 1
    if scope.steps < 0:
        raise EvaluationError(messages.TOO_LONG)


def spend(scope: Scope, terms: int) -> None:
    """Charge sum iterations against the evaluation's budget."""
    scope.budget -= terms
    if scope.budget < 0:
        raise EvaluationError(messages.SUM_TOO_LONG)


def whole(values: FloatArray) -> Index:
    """Turn evaluated index values into integers, collapsing them when all draws agree."""
    if values.ndim != 1 or not np.isfinite(values).all() or (values != np.round(values)).any():
        raise EvaluationError(messages.INDEX_NOT_WHOLE)
    if (np.abs(values) > MAX_INDEX).any():
        raise EvaluationError(messages.INDEX_TOO_LARGE)
    integers = values.astype(np.int64)
    if (integers == integers[0]).all():
        return int(integers[0])
    return integers


def lookup(name: str, index: Index, scope: Scope) -> FloatArray:
    """Entry `index` (1-based) of the indexed symbol `name` in every draw."""
    data = scope.batch.values[name]
    size = data.shape[1]
    inside = (index >= 1) & (index <= size)
    if scope.active is not None:
        inside = inside | ~scope.active
    if not np.all(inside):
        raise EvaluationError(messages.index_out_of_range(name, _where(scope.batch)))
    if isinstance(index, int):
        return data[:, min(max(index, 1), size) - 1]
    return data[np.arange(data.shape[0]), np.clip(index, 1, size) - 1]


def _where(batch: SampleBatch) -> str:
    symbol = batch.size_symbol
    point = {} if symbol is None else {symbol: batch.size}
    return messages.where(point, size_symbol=symbol)
