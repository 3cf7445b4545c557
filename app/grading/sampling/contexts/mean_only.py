"""Mean-only batch norm (eecs182-hw5 q2.b): dL/dx_i from dL/dy_j, gamma and the batch size n."""

import numpy as np

from app.grading.sampling.batch import SampleBatch
from app.grading.sampling.context import SamplingContext, signed
from reference import batchnorm

BATCH_SIZES = (1, 2, 3, 5, 7)
"""n = 1 is included: it is a case the question asks about, and where 1/(n - 1) fails."""
DRAWS = 12


class MeanOnlyBatchNormContext(SamplingContext):
    """dy indexed over the batch; gamma and n scalars; free index i."""

    free_index = "i"
    index_quantities = frozenset({"dx_i", "dx_i_limit"})

    def symbols(self) -> frozenset[str]:
        """Names of the symbols this context gives values for."""
        return frozenset({"dy", "gamma", "n"})

    def quantity_names(self) -> frozenset[str]:
        """Names of the reference quantities."""
        return self.index_quantities

    def _draw(self, rng: np.random.Generator) -> tuple[SampleBatch, ...]:
        return tuple(self._batch(rng, size) for size in BATCH_SIZES)

    def _batch(self, rng: np.random.Generator, size: int) -> SampleBatch:
        dy = rng.normal(size=(DRAWS, size))
        gamma = signed(rng, DRAWS, low=0.5, high=2.0)
        i = (np.arange(DRAWS) % size + 1).astype(np.int64)
        dy_i = np.ascontiguousarray(dy[np.arange(DRAWS), i - 1])
        gradient = batchnorm.mean_only_gradient(dy, gamma=gamma)
        limit = np.asarray(batchnorm.mean_only_limit(dy_i, gamma=gamma), dtype=np.float64)
        return SampleBatch(
            size=size,
            values={"dy": dy, "gamma": gamma, "n": np.full(DRAWS, float(size))},
            indexed=frozenset({"dy"}),
            indices={"i": i},
            quantities={
                "dx_i": np.ascontiguousarray(gradient[np.arange(DRAWS), i - 1]),
                "dx_i_limit": limit,
            },
            size_symbol="n",
        )
