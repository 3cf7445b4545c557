"""The mean-only batch-norm context against torch.autograd."""

import numpy as np
import pytest
import torch

from app.grading.sampling.batch import SampleBatch
from app.grading.sampling.contexts.mean_only import MeanOnlyBatchNormContext

BATCHES = MeanOnlyBatchNormContext().batches()


@pytest.mark.parametrize("batch", BATCHES, ids=[f"n={b.size}" for b in BATCHES])
def test_gradient_matches_autograd(batch: SampleBatch) -> None:
    v = batch.values
    # The gradient does not depend on x, so any x will do.
    x = torch.tensor(np.random.default_rng(0).normal(size=v["dy"].shape), requires_grad=True)
    gamma = torch.tensor(v["gamma"])[:, None]
    y = gamma * (x - x.mean(dim=1, keepdim=True)) + 0.3
    (y * torch.tensor(v["dy"])).sum().backward()
    assert x.grad is not None
    rows = np.arange(batch.draws), batch.indices["i"] - 1
    np.testing.assert_allclose(batch.quantities["dx_i"], x.grad.numpy()[rows], atol=1e-12)


@pytest.mark.parametrize("batch", BATCHES, ids=[f"n={b.size}" for b in BATCHES])
def test_limit_keeps_only_the_own_upstream_gradient(batch: SampleBatch) -> None:
    v = batch.values
    dy_i = v["dy"][np.arange(batch.draws), batch.indices["i"] - 1]
    np.testing.assert_allclose(batch.quantities["dx_i_limit"], v["gamma"] * dy_i)
    np.testing.assert_array_equal(v["n"], batch.size)


def test_batch_of_one_is_sampled() -> None:
    assert BATCHES[0].size == 1
    np.testing.assert_allclose(BATCHES[0].quantities["dx_i"], 0.0, atol=1e-15)
