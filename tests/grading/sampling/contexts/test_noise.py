"""The multiplicative-noise context: A and B reproduce the expected noisy loss."""

import numpy as np
import pytest

from app.grading.sampling.contexts.noise import MultiplicativeNoiseContext


def test_a_and_b_reproduce_the_expected_loss() -> None:
    (batch,) = MultiplicativeNoiseContext().batches()
    rng = np.random.default_rng(5)
    for draw in range(batch.draws):
        mu, sigma = batch.values["mu"][draw], batch.values["sigma"][draw]
        x, y, w = rng.normal(size=(6, 3)), rng.normal(size=6), rng.normal(size=3)
        # E||y - (R o X) w||^2 with R_ij ~ N(mu, sigma^2) iid: mean part plus variance part.
        expected = np.sum((y - mu * x @ w) ** 2) + sigma**2 * np.sum(x**2 @ w**2)
        a, b = batch.quantities["A"][draw], batch.quantities["B"][draw]
        gamma = np.diag(np.linalg.norm(x, axis=0))
        rewritten = np.sum((y - a * x @ w) ** 2) + b * np.sum((gamma @ w) ** 2)
        assert rewritten == pytest.approx(expected, rel=1e-12)
