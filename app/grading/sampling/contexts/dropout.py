"""Dropout as Tikhonov regularization, and Tikhonov as ridge regression (eecs182-hw5 q4)."""

from collections.abc import Mapping

import numpy as np

from app.grading.mathparse.vocabulary import Dim
from app.grading.sampling.batch import FloatArray, SampleBatch
from app.grading.sampling.context import SamplingContext
from reference import regularization

SIZES = ((4, 2), (5, 3), (3, 4))
"""(n, d) pairs; n != d, so a transposed design matrix cannot pass."""
DRAWS = 4


class DropoutTikhonovContext(SamplingContext):
    """p, w_tilde (d), X (n x d), Gamma and Gamma_tilde (d x d); quantities w and X_tilde."""

    def shapes(self) -> Mapping[str, tuple[Dim, ...]]:
        """Symbolic shapes of the vector and matrix symbols."""
        return {"w_tilde": ("d",), "X": ("n", "d"), "Gamma": ("d", "d"), "Gamma_tilde": ("d", "d")}

    def quantity_shapes(self) -> Mapping[str, tuple[Dim, ...]]:
        """w is a vector of length d, X_tilde a matrix like X."""
        return {"w": ("d",), "X_tilde": ("n", "d")}

    def symbols(self) -> frozenset[str]:
        """Names of the symbols this context gives values for."""
        return frozenset({"p", *self.shapes()})

    def quantity_names(self) -> frozenset[str]:
        """Names of the reference quantities."""
        return frozenset(self.quantity_shapes())

    def _draw(self, rng: np.random.Generator) -> tuple[SampleBatch, ...]:
        return tuple(self._batch(rng, n, d) for n, d in SIZES)

    def _batch(self, rng: np.random.Generator, n: int, d: int) -> SampleBatch:
        values = {
            "p": rng.uniform(0.2, 0.9, DRAWS),
            "w_tilde": rng.normal(size=(DRAWS, d)),
            "X": rng.normal(size=(DRAWS, n, d)),
            "Gamma": _invertible(rng, d),
            "Gamma_tilde": rng.normal(size=(DRAWS, d, d)),
        }
        return SampleBatch(size=n, values=values, quantities=_quantities(values), size_symbol="n")


def _invertible(rng: np.random.Generator, d: int) -> FloatArray:
    # Not symmetric, so that Gamma^T cannot stand in for Gamma; the shift keeps it well
    # conditioned, so that Gamma^{-1} is accurate.
    shifted: FloatArray = rng.normal(size=(DRAWS, d, d)) + 2.0 * np.sqrt(d) * np.eye(d)
    return shifted


def _quantities(values: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
    w, _ = regularization.dropout_to_tikhonov(
        p=values["p"], w_tilde=values["w_tilde"], gamma_tilde=values["Gamma_tilde"]
    )
    design = regularization.tikhonov_to_ridge_design(x=values["X"], gamma=values["Gamma"])
    return {"w": np.ascontiguousarray(w), "X_tilde": np.ascontiguousarray(design)}
