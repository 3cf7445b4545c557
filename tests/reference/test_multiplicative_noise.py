import math
from collections.abc import Callable
from itertools import product

import numpy as np
import pytest
import sympy as sp

from reference.multiplicative_noise import (
    multiplicative_noise_coefficients,
    multiplicative_noise_values,
)


def _two_point(mu: float, sigma: float) -> list[tuple[float, float]]:
    return [(mu - sigma, 0.5), (mu + sigma, 0.5)]


def _three_point(mu: float, sigma: float) -> list[tuple[float, float]]:
    # Values mu - a, mu, mu + a with probabilities 1/4, 1/2, 1/4 have variance a^2 / 2.
    a = sigma * math.sqrt(2)
    return [(mu - a, 0.25), (mu, 0.5), (mu + a, 0.25)]


Distribution = list[tuple[float, float]]


def _exact_expected_loss(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, distribution: Distribution
) -> float:
    """E||y - (R o X) w||^2 with R iid over a finite distribution, enumerated exactly."""
    total = 0.0
    for draw in product(distribution, repeat=x.size):
        r = np.array([v for v, _ in draw]).reshape(x.shape)
        total += math.prod(p for _, p in draw) * np.sum((y - (r * x) @ w) ** 2)
    return total


@pytest.mark.parametrize("distribution", [_two_point, _three_point])
@pytest.mark.parametrize(
    ("mu", "sigma", "shape"), [(1.0, 0.5, (2, 2)), (0.3, 1.7, (3, 2)), (2.0, 0.1, (2, 3))]
)
def test_coefficients_match_exact_expectation(
    distribution: Callable[[float, float], Distribution],
    mu: float,
    sigma: float,
    shape: tuple[int, int],
) -> None:
    rng = np.random.default_rng(int(10 * mu + sigma))
    x, y, w = rng.normal(size=shape), rng.normal(size=shape[0]), rng.normal(size=shape[1])
    a, b = multiplicative_noise_values(mu=mu, sigma=sigma)
    gamma = np.diag(np.sqrt(np.diag(x.T @ x)))
    closed_form = np.sum((y - a * x @ w) ** 2) + b * np.sum((gamma @ w) ** 2)
    assert closed_form == pytest.approx(
        _exact_expected_loss(x, y, w, distribution(mu, sigma)), rel=1e-10
    )


def test_coefficients_are_expressions_in_mu_and_sigma() -> None:
    a, b = multiplicative_noise_coefficients()
    names = {s.name for s in a.free_symbols | b.free_symbols}
    assert names == {"mu", "sigma"}
    assert all(s.is_positive for s in a.free_symbols | b.free_symbols)
    assert isinstance(a, sp.Expr) and isinstance(b, sp.Expr)


def test_values_broadcast_over_arrays() -> None:
    a, b = multiplicative_noise_values(mu=np.array([1.0, 2.0]), sigma=np.array([[0.5], [1.5]]))
    assert a.shape == b.shape == (2, 2)
    scalar = multiplicative_noise_values(mu=2.0, sigma=1.5)
    assert (a[1, 1], b[1, 1]) == pytest.approx((float(scalar[0]), float(scalar[1])))


@pytest.mark.parametrize(("mu", "sigma"), [(1.0, -0.5), (float("nan"), 1.0), (1.0, float("inf"))])
def test_values_reject_bad_parameters(mu: float, sigma: float) -> None:
    with pytest.raises(ValueError):
        multiplicative_noise_values(mu=mu, sigma=sigma)
