"""What every sampling context offers: its symbols, their shapes, and cached sample batches."""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import ClassVar

import numpy as np

from app.grading.mathparse.vocabulary import Dim
from app.grading.sampling.batch import FloatArray, SampleBatch, frozen
from app.grading.sampling.cache import cached_batches

SEED = 20_240_917
"""Every context draws from this seed, so the same answer always meets the same samples."""


class SamplingContext(ABC):
    """Random but consistent values for one question's symbols, and the reference quantities.

    Subclasses take the problem's parameters as keyword arguments and implement `_draw`;
    batches are drawn once per context and shared read-only afterwards.
    """

    free_index: ClassVar[str | None] = None
    index_quantities: ClassVar[frozenset[str]] = frozenset()
    _batches: tuple[SampleBatch, ...] | None = None

    def shapes(self) -> Mapping[str, tuple[Dim, ...]]:
        """Symbolic shapes of the vector and matrix symbols."""
        return {}

    def quantity_shapes(self) -> Mapping[str, tuple[Dim, ...]]:
        """Symbolic shapes of the vector and matrix quantities."""
        return {}

    @abstractmethod
    def symbols(self) -> frozenset[str]:
        """Names of the symbols this context gives values for."""

    @abstractmethod
    def quantity_names(self) -> frozenset[str]:
        """Names of the reference quantities and mistake variants."""

    def quantity_indices(self, name: str) -> frozenset[str]:
        """Free indices that the quantity `name` depends on."""
        if name in self.index_quantities and self.free_index is not None:
            return frozenset({self.free_index})
        return frozenset()

    def batches(self) -> tuple[SampleBatch, ...]:
        """The sample batches, drawn on first use from the fixed seed (or read from the cache)."""
        if self._batches is None:
            drawn = cached_batches(self, lambda: self._draw(_rng(self)))
            self._batches = tuple(_freeze(batch) for batch in drawn)
        return self._batches

    @abstractmethod
    def _draw(self, rng: np.random.Generator) -> tuple[SampleBatch, ...]:
        """Draw every batch; called once."""


def _rng(context: SamplingContext) -> np.random.Generator:
    # Seeding by class name keeps contexts independent of each other's draw order.
    salt = sum(ord(letter) for letter in type(context).__name__)
    return np.random.default_rng([SEED, salt])


def _freeze(batch: SampleBatch) -> SampleBatch:
    for array in (*batch.values.values(), *batch.quantities.values(), *batch.indices.values()):
        frozen(array)
    return batch


def signed(rng: np.random.Generator, size: int, *, low: float, high: float) -> FloatArray:
    """Magnitudes in [low, high] with random signs, so neither 0 nor 1 nor one sign dominates."""
    magnitude = rng.uniform(low, high, size)
    return np.where(rng.random(size) < 0.5, -magnitude, magnitude)
