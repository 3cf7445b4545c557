"""The batch-norm context: shorthands mean what they mean, quantities match torch.autograd."""

import numpy as np
import pytest
import torch

from app.grading.sampling.batch import FloatArray, SampleBatch
from app.grading.sampling.contexts.batchnorm import BATCH_SIZES, BatchNormContext

BATCHES = BatchNormContext().batches()


def _tensor(array: FloatArray) -> torch.Tensor:
    return torch.tensor(np.array(array), dtype=torch.float64)


def _at(values: FloatArray, batch: SampleBatch) -> FloatArray:
    return values[np.arange(batch.draws), batch.indices["i"] - 1]


def _autograd_dx(batch: SampleBatch, *, unbiased: bool = False, detach: str = "") -> FloatArray:
    v = batch.values
    x = _tensor(v["x"]).requires_grad_()
    mu = x.mean(dim=1, keepdim=True)
    mu = mu.detach() if detach == "mu" else mu
    var = ((x - mu) ** 2).sum(dim=1, keepdim=True) / (batch.size - 1 if unbiased else batch.size)
    var = var.detach() if detach == "var" else var
    y = _tensor(v["gamma"])[:, None] * (x - mu) / torch.sqrt(var + _tensor(v["eps"])[:, None])
    (y * _tensor(v["dy"])).sum().backward()
    assert x.grad is not None
    return _at(x.grad.numpy(), batch)


@pytest.mark.parametrize("batch", BATCHES, ids=[f"m={b.size}" for b in BATCHES])
def test_shorthands_are_the_statistics_of_the_sampled_x(batch: SampleBatch) -> None:
    v = batch.values
    np.testing.assert_allclose(v["mu"], v["x"].mean(axis=1))
    np.testing.assert_allclose(v["sigma2"], v["x"].var(axis=1))
    np.testing.assert_allclose(v["sigma"] ** 2, v["sigma2"])
    xhat = (v["x"] - v["mu"][:, None]) / np.sqrt(v["sigma2"] + v["eps"])[:, None]
    np.testing.assert_allclose(v["xhat"], xhat)
    np.testing.assert_allclose(v["y"], v["gamma"][:, None] * xhat + v["beta"][:, None])
    np.testing.assert_array_equal(v["m"], batch.size)


@pytest.mark.parametrize("batch", BATCHES, ids=[f"m={b.size}" for b in BATCHES])
def test_gradients_match_autograd(batch: SampleBatch) -> None:
    v, q = batch.values, batch.quantities
    x, mu_leaf, var_leaf = (_tensor(v[name]) for name in ("x", "mu", "sigma2"))
    mu_leaf.requires_grad_()
    var_leaf.requires_grad_()
    gamma, beta = _tensor(v["gamma"]).requires_grad_(), _tensor(v["beta"]).requires_grad_()
    xhat = ((x - mu_leaf[:, None]) / torch.sqrt(var_leaf + _tensor(v["eps"]))[:, None]).detach()
    xhat.requires_grad_()
    # Partial derivatives, as the question defines them: each node's inputs held fixed.
    y = gamma[:, None] * xhat + beta[:, None]
    (y * _tensor(v["dy"])).sum().backward()
    through_xhat = (x - mu_leaf[:, None]) / torch.sqrt(var_leaf + _tensor(v["eps"]))[:, None]
    (through_xhat * xhat.grad).sum().backward()
    np.testing.assert_allclose(q["dgamma"], gamma.grad.numpy())
    np.testing.assert_allclose(q["dbeta"], beta.grad.numpy())
    np.testing.assert_allclose(q["dxhat_i"], _at(xhat.grad.numpy(), batch))
    np.testing.assert_allclose(q["dsigma2"], var_leaf.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(v["dxhat"], xhat.grad.numpy())
    np.testing.assert_allclose(q["dx_i"], _autograd_dx(batch), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("batch", BATCHES, ids=[f"m={b.size}" for b in BATCHES])
def test_dmu_matches_autograd_through_xhat_and_sigma2(batch: SampleBatch) -> None:
    v = batch.values
    x, mu = _tensor(v["x"]), _tensor(v["mu"]).requires_grad_()
    var = ((x - mu[:, None]) ** 2).mean(dim=1)
    xhat = (x - mu[:, None]) / torch.sqrt(var + _tensor(v["eps"]))[:, None]
    (_tensor(v["gamma"])[:, None] * xhat * _tensor(v["dy"])).sum().backward()
    np.testing.assert_allclose(batch.quantities["dmu"], mu.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    ("quantity", "unbiased", "detach"),
    [
        ("dx_i_unbiased", True, ""),
        ("dx_i_no_mu_path", False, "mu"),
        ("dx_i_no_var_path", False, "var"),
    ],
)
def test_mistake_variants_match_autograd_of_the_mistaken_forward_pass(
    quantity: str, unbiased: bool, detach: str
) -> None:
    for batch in BATCHES:
        expected = _autograd_dx(batch, unbiased=unbiased, detach=detach)
        np.testing.assert_allclose(batch.quantities[quantity], expected, rtol=1e-9, atol=1e-12)


def test_samples_cover_every_position_and_separate_mistakes() -> None:
    assert tuple(batch.size for batch in BATCHES) == BATCH_SIZES
    for batch in BATCHES:
        assert set(batch.indices["i"]) == set(range(1, batch.size + 1))
        v = batch.values
        assert (v["eps"] >= 0.1).all() and (v["eps"] <= 1).all()
        assert (np.abs(v["gamma"]) >= 0.5).all() and (v["gamma"] < 0).any()
        # Forgetting eps must change sqrt(sigma2 + eps) far beyond the tolerance.
        assert (np.sqrt(v["sigma2"] + v["eps"]) / np.sqrt(v["sigma2"]) > 1.01).all()
