"""Batch norm of one scalar feature (dl-ex1 q3): shorthands are the reference's own values."""

from collections.abc import Mapping

import numpy as np

from app.grading.sampling.batch import FloatArray, IntArray, SampleBatch
from app.grading.sampling.context import SamplingContext, signed
from reference import batchnorm

BATCH_SIZES = (2, 3, 5, 7)
DRAWS = 12
"""Draws per batch size; the free index cycles through every position of the batch."""


class BatchNormContext(SamplingContext):
    """x, y, dy, xhat, dxhat indexed over the batch; mu, sigma2, sigma, eps, gamma, beta, m."""

    free_index = "i"
    index_quantities = frozenset(
        {"dxhat_i", "dx_i", "dx_i_unbiased", "dx_i_no_mu_path", "dx_i_no_var_path"}
    )
    _symbols = frozenset(
        {"x", "y", "dy", "xhat", "mu", "sigma2", "sigma", "eps", "gamma", "beta", "m"}
        | {"dxhat", "dsigma2", "dmu"}
    )
    _indexed = frozenset({"x", "y", "dy", "xhat", "dxhat"})
    _quantities = index_quantities | {"dgamma", "dbeta", "dsigma2", "dmu", "dsigma2_unbiased"}

    def symbols(self) -> frozenset[str]:
        """Names of the symbols this context gives values for."""
        return self._symbols

    def quantity_names(self) -> frozenset[str]:
        """Names of the reference quantities and mistake variants."""
        return self._quantities

    def _draw(self, rng: np.random.Generator) -> tuple[SampleBatch, ...]:
        return tuple(self._batch(rng, size) for size in BATCH_SIZES)

    def _batch(self, rng: np.random.Generator, size: int) -> SampleBatch:
        # Spread comparable to eps, so that dropping eps changes every value visibly.
        x = rng.normal(0.0, 1.0, (DRAWS, 1)) + rng.uniform(0.5, 2.0, (DRAWS, 1)) * rng.normal(
            size=(DRAWS, size)
        )
        dy = rng.normal(size=(DRAWS, size))
        gamma = signed(rng, DRAWS, low=0.5, high=2.0)
        beta, eps = rng.normal(size=DRAWS), rng.uniform(0.1, 1.0, DRAWS)
        i = (np.arange(DRAWS) % size + 1).astype(np.int64)
        values = _values(x, dy, gamma=gamma, beta=beta, eps=eps)
        return SampleBatch(
            size=size,
            values=values,
            indexed=self._indexed,
            indices={"i": i},
            quantities=_quantities(x, dy, i, gamma=gamma, eps=eps),
            size_symbol="m",
        )


def _values(
    x: FloatArray, dy: FloatArray, *, gamma: FloatArray, beta: FloatArray, eps: FloatArray
) -> dict[str, FloatArray]:
    fwd = batchnorm.forward(x, gamma=gamma, beta=beta, eps=eps)
    grads = batchnorm.gradients(x, dy, gamma=gamma, eps=eps)
    scalars = {"mu": fwd.mu, "sigma2": fwd.var, "sigma": np.sqrt(fwd.var), "eps": eps}
    scalars |= {"gamma": gamma, "beta": beta, "m": np.full(len(x), float(x.shape[1]))}
    scalars |= {"dsigma2": grads.dvar, "dmu": grads.dmu}
    return scalars | {"x": x, "y": fwd.y, "dy": dy, "xhat": fwd.xhat, "dxhat": grads.dxhat}


def _quantities(
    x: FloatArray, dy: FloatArray, i: IntArray, *, gamma: FloatArray, eps: FloatArray
) -> Mapping[str, FloatArray]:
    right = batchnorm.gradients(x, dy, gamma=gamma, eps=eps)
    unbiased = batchnorm.gradients(x, dy, gamma=gamma, eps=eps, unbiased=True)
    no_mu = batchnorm.gradients(x, dy, gamma=gamma, eps=eps, drop_paths=frozenset({"mu"}))
    no_var = batchnorm.gradients(x, dy, gamma=gamma, eps=eps, drop_paths=frozenset({"var"}))
    return {
        "dgamma": right.dgamma,
        "dbeta": right.dbeta,
        "dxhat_i": _at(right.dxhat, i),
        "dsigma2": right.dvar,
        "dmu": right.dmu,
        "dx_i": _at(right.dx, i),
        "dx_i_unbiased": _at(unbiased.dx, i),
        "dsigma2_unbiased": unbiased.dvar,
        "dx_i_no_mu_path": _at(no_mu.dx, i),
        "dx_i_no_var_path": _at(no_var.dx, i),
    }


def _at(per_sample: FloatArray, i: IntArray) -> FloatArray:
    return np.ascontiguousarray(per_sample[np.arange(len(i)), i - 1])
