"""One group of sample points: k random draws that share a batch size and array shapes."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

ArrayT = TypeVar("ArrayT", bound=NDArray[Any])

_EMPTY: Mapping[str, FloatArray] = MappingProxyType({})
_NO_INDICES: Mapping[str, IntArray] = MappingProxyType({})


class EvaluationError(Exception):
    """An expression cannot be evaluated at the samples; `message` is written for the student."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SampleBatch:
    """k draws of every symbol's value, vectorized along a leading axis.

    Scalars have shape (k,), indexed symbols (k, size) and are indexed from 1 in expressions,
    vectors (k, n), matrices (k, r, c). `indices` gives each free index one value per draw, so
    one batch covers every position of the free index. `quantities` are the reference values
    (and mistake variants) at the same draws.
    """

    size: int
    values: Mapping[str, FloatArray]
    indexed: frozenset[str] = frozenset()
    indices: Mapping[str, IntArray] = field(default_factory=lambda: _NO_INDICES)
    quantities: Mapping[str, FloatArray] = field(default_factory=lambda: _EMPTY)
    size_symbol: str | None = None

    @property
    def draws(self) -> int:
        """Number of draws k."""
        return int(next(iter(self.values.values())).shape[0])

    def point(self, draw: int) -> dict[str, int]:
        """The batch size and free-index values of one draw, for feedback."""
        point = {} if self.size_symbol is None else {self.size_symbol: self.size}
        point.update({name: int(values[draw]) for name, values in self.indices.items()})
        return point


def frozen(array: ArrayT) -> ArrayT:
    """Mark a shared sample array read-only so no evaluation can change it in place."""
    array.flags.writeable = False
    return array
