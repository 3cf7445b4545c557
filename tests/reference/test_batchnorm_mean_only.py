import numpy as np
import pytest
import sympy as sp
import torch

from reference.batchnorm_mean_only import (
    SYMBOLS,
    mean_only_gradient,
    mean_only_gradient_symbolic,
    mean_only_limit,
    mean_only_value_at_one,
)


def _autograd(dy: np.ndarray, gamma: float, seed: int = 0) -> np.ndarray:
    x = torch.tensor(np.random.default_rng(seed).normal(size=len(dy)), requires_grad=True)
    y = gamma * (x - x.mean()) + 0.5
    (torch.tensor(dy) * y).sum().backward()
    return x.grad.numpy()


@pytest.mark.parametrize("n", [1, 2, 3, 7, 16])
def test_gradient_matches_autograd(n: int) -> None:
    rng = np.random.default_rng(n)
    dy, gamma = rng.normal(size=n), float(rng.normal())
    np.testing.assert_allclose(
        mean_only_gradient(dy, gamma=gamma), _autograd(dy, gamma), atol=1e-12
    )


def test_gradient_with_leading_sample_axis() -> None:
    rng = np.random.default_rng(3)
    dy, gamma = rng.normal(size=(5, 4)), rng.normal(size=5)
    got = mean_only_gradient(dy, gamma=gamma)
    expected = np.stack([_autograd(dy[k], float(gamma[k])) for k in range(5)])
    np.testing.assert_allclose(got, expected, atol=1e-12)
    assert mean_only_gradient(np.zeros((3, 1)), gamma=2.0).shape == (3, 1)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_symbolic_gradient_matches_autograd_for_concrete_n(n: int) -> None:
    s = SYMBOLS
    rng = np.random.default_rng(100 + n)
    dy, gamma = rng.normal(size=n), float(rng.normal())
    concrete = mean_only_gradient_symbolic().subs(s.n, n).doit()
    values = {s.upstream[j + 1]: dy[j] for j in range(n)} | {s.gamma: gamma}
    got = [float(concrete.subs(s.i, i + 1).subs(values)) for i in range(n)]
    np.testing.assert_allclose(got, _autograd(dy, gamma), atol=1e-12)


def test_symbolic_gradient_is_written_with_a_sum_over_upstream() -> None:
    expr = mean_only_gradient_symbolic()
    sums = list(expr.atoms(sp.Sum))
    assert len(sums) == 1 and sums[0].has(SYMBOLS.upstream) and sums[0].has(SYMBOLS.n)
    assert not expr.has(sp.KroneckerDelta) and not expr.has(sp.Piecewise)


@pytest.mark.parametrize("dy", [3.0, -1.5, 0.0])
def test_value_at_one_matches_autograd(dy: float) -> None:
    assert mean_only_value_at_one() == pytest.approx(_autograd(np.array([dy]), 1.7)[0], abs=1e-15)
    assert isinstance(mean_only_value_at_one(), int)


@pytest.mark.parametrize(("dy_i", "gamma"), [(2.0, 3.0), (-1.0, 0.5), (0.7, -2.0)])
def test_limit_matches_large_n_jacobian(dy_i: float, gamma: float) -> None:
    n, i = 20_000, 7
    x = torch.zeros(n, dtype=torch.float64, requires_grad=True)
    y = gamma * (x - x.mean())
    # Row i of the Jacobian: dy_i/dx_j for every j; by symmetry of y in x it equals column i.
    (column,) = torch.autograd.grad(y[i], x)
    diagonal, off = float(column[i]), column[torch.arange(n) != i].abs().max().item()
    # The finite-n entry is gamma * (1 - 1/n), so it sits within |gamma * dy_i| / n of the limit.
    tolerance = 2 * abs(gamma * dy_i) / n
    assert mean_only_limit(dy_i, gamma=gamma) == pytest.approx(diagonal * dy_i, abs=tolerance)
    assert off <= abs(gamma) / n * (1 + 1e-9)


def test_limit_accepts_arrays() -> None:
    got = mean_only_limit(np.array([1.0, 2.0]), gamma=np.array([3.0, -1.0]))
    scalars = [mean_only_limit(1.0, gamma=3.0), mean_only_limit(2.0, gamma=-1.0)]
    np.testing.assert_allclose(got, scalars)


@pytest.mark.parametrize("dy", [np.array([]), np.float64(1.0), np.ones(257)])
def test_gradient_rejects_bad_batches(dy: np.ndarray) -> None:
    with pytest.raises(ValueError, match="batch size"):
        mean_only_gradient(dy, gamma=1.0)
