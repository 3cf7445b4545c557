"""Multiplicative Gaussian noise on the features (eecs182-hw5 q8): the factors A and B."""

import numpy as np

from app.grading.sampling.batch import FloatArray, SampleBatch
from app.grading.sampling.context import SamplingContext, signed
from reference import regularization

DRAWS = 24


class MultiplicativeNoiseContext(SamplingContext):
    """mu and sigma of the noise, both scalars."""

    def symbols(self) -> frozenset[str]:
        """Names of the symbols this context gives values for."""
        return frozenset({"mu", "sigma"})

    def quantity_names(self) -> frozenset[str]:
        """Names of the reference quantities."""
        return frozenset({"A", "B"})

    def _draw(self, rng: np.random.Generator) -> tuple[SampleBatch, ...]:
        mu = signed(rng, DRAWS, low=0.3, high=2.5)
        sigma = rng.uniform(0.2, 2.0, DRAWS)
        a, b = regularization.multiplicative_noise_values(mu=mu, sigma=sigma)
        quantities = {"A": _column(a, DRAWS), "B": _column(b, DRAWS)}
        return (SampleBatch(size=1, values={"mu": mu, "sigma": sigma}, quantities=quantities),)


def _column(value: object, draws: int) -> FloatArray:
    return np.broadcast_to(np.asarray(value, dtype=np.float64), (draws,)).copy()
