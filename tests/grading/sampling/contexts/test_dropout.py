"""The dropout/Tikhonov context: its quantities satisfy the identities they are defined by."""

import numpy as np
import pytest

from app.grading.sampling.batch import SampleBatch
from app.grading.sampling.contexts.dropout import DropoutTikhonovContext

CONTEXT = DropoutTikhonovContext()
BATCHES = CONTEXT.batches()


@pytest.mark.parametrize("batch", BATCHES, ids=[f"n={b.size}" for b in BATCHES])
def test_w_makes_the_data_terms_equal_for_every_y(batch: SampleBatch) -> None:
    v, rng = batch.values, np.random.default_rng(1)
    y = rng.normal(size=(batch.draws, batch.size))
    tikhonov = y - np.einsum("knd,kd->kn", v["X"], batch.quantities["w"])
    dropout = y - v["p"][:, None] * np.einsum("knd,kd->kn", v["X"], v["w_tilde"])
    np.testing.assert_allclose(tikhonov, dropout, atol=1e-12)


@pytest.mark.parametrize("batch", BATCHES, ids=[f"n={b.size}" for b in BATCHES])
def test_x_tilde_maps_gamma_w_to_x_w(batch: SampleBatch) -> None:
    v = batch.values
    w = np.random.default_rng(2).normal(size=(batch.draws, v["X"].shape[2]))
    gamma_w = np.einsum("kde,ke->kd", v["Gamma"], w)
    lhs = np.einsum("knd,kd->kn", batch.quantities["X_tilde"], gamma_w)
    np.testing.assert_allclose(lhs, np.einsum("knd,kd->kn", v["X"], w), atol=1e-10)


def test_matrices_are_rectangular_and_gamma_is_not_symmetric() -> None:
    for batch in BATCHES:
        n, d = batch.values["X"].shape[1:]
        assert n != d and n == batch.size
        gamma = batch.values["Gamma"]
        assert not np.allclose(gamma, np.swapaxes(gamma, 1, 2))
        assert (np.linalg.cond(gamma) < 100).all()
