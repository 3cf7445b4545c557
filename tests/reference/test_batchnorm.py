import numpy as np
import pytest
import torch

from reference import batchnorm

EPS = 1e-3  # large enough that the eps term matters at float64 precision


def _torch_graph(
    x: np.ndarray, dy: np.ndarray, gamma: float, unbiased: bool, detach: frozenset[str]
) -> dict[str, torch.Tensor]:
    """Batch norm in torch with mu and/or var cut out of autograd's graph, then backward."""
    t = {"x": torch.tensor(x, requires_grad=True)}
    t["gamma"] = torch.tensor(gamma, dtype=torch.float64, requires_grad=True)
    t["beta"] = torch.tensor(0.25, dtype=torch.float64, requires_grad=True)
    t["mu"] = t["x"].mean()
    t["mu"].retain_grad()
    mu = t["mu"].detach() if "mu" in detach else t["mu"]
    t["var"] = ((t["x"] - mu) ** 2).sum() / (len(x) - 1 if unbiased else len(x))
    t["var"].retain_grad()
    var = t["var"].detach() if "var" in detach else t["var"]
    t["xhat"] = (t["x"] - mu) / torch.sqrt(var + EPS)
    t["xhat"].retain_grad()
    t["y"] = t["gamma"] * t["xhat"] + t["beta"]
    (torch.tensor(dy) * t["y"]).sum().backward()
    return t


def _data(seed: int, m: int) -> tuple[np.ndarray, np.ndarray, float]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=m) * 2 + 1, rng.normal(size=m), float(rng.normal())


CASES = [(m, unbiased) for m in (1, 2, 3, 5, 8, 20) for unbiased in (False, True) if m > unbiased]


@pytest.mark.parametrize(("m", "unbiased"), CASES)
def test_forward_matches_torch(m: int, unbiased: bool) -> None:
    x, _, gamma = _data(m, m)
    got = batchnorm.forward(x, gamma=gamma, beta=0.25, eps=EPS, unbiased=unbiased)
    t = _torch_graph(x, np.ones(m), gamma, unbiased, frozenset())
    for name in ("mu", "var", "xhat", "y"):
        np.testing.assert_allclose(getattr(got, name), t[name].detach().numpy(), rtol=1e-12)
    if not unbiased and m > 1:  # torch refuses training-mode batch norm on one sample
        bn = torch.nn.functional.batch_norm(
            torch.tensor(x).reshape(m, 1),
            None,
            None,
            torch.tensor([gamma], dtype=torch.float64),
            torch.tensor([0.25], dtype=torch.float64),
            training=True,
            eps=EPS,
        )
        np.testing.assert_allclose(got.y, bn.flatten().numpy(), rtol=1e-10)


@pytest.mark.parametrize(("m", "unbiased"), CASES)
def test_gradients_match_autograd(m: int, unbiased: bool) -> None:
    x, dy, gamma = _data(10 + m, m)
    got = batchnorm.gradients(x, dy, gamma=gamma, eps=EPS, unbiased=unbiased)
    t = _torch_graph(x, dy, gamma, unbiased, frozenset())
    pairs = {"dgamma": "gamma", "dbeta": "beta", "dxhat": "xhat", "dvar": "var", "dmu": "mu"}
    for ours, theirs in {**pairs, "dx": "x"}.items():
        expected = t[theirs].grad.numpy()
        np.testing.assert_allclose(getattr(got, ours), expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("drop", [frozenset({"mu"}), frozenset({"var"}), frozenset({"mu", "var"})])
@pytest.mark.parametrize(("m", "unbiased"), [(3, False), (4, True), (6, False)])
def test_dropped_paths_match_detached_autograd(
    drop: frozenset[str], m: int, unbiased: bool
) -> None:
    x, dy, gamma = _data(20 + m, m)
    got = batchnorm.gradients(x, dy, gamma=gamma, eps=EPS, unbiased=unbiased, drop_paths=drop)
    t = _torch_graph(x, dy, gamma, unbiased, drop)
    np.testing.assert_allclose(got.dx, t["x"].grad.numpy(), rtol=1e-9, atol=1e-12)
    if drop == {"var"}:  # mu stays in the graph, reached only through xhat
        np.testing.assert_allclose(got.dmu, t["mu"].grad.numpy(), rtol=1e-9, atol=1e-12)
    full = batchnorm.gradients(x, dy, gamma=gamma, eps=EPS, unbiased=unbiased)
    assert not np.allclose(got.dx, full.dx)  # the mistake must be detectable


def test_leading_sample_axis_matches_row_by_row() -> None:
    rng = np.random.default_rng(5)
    x, dy = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    gamma, eps = rng.normal(size=4), np.array([1e-3, 1e-2, 0.1, 1.0])
    got = batchnorm.gradients(x, dy, gamma=gamma, eps=eps)
    for k in range(4):
        row = batchnorm.gradients(x[k], dy[k], gamma=gamma[k], eps=eps[k])
        for name in ("dgamma", "dbeta", "dxhat", "dvar", "dmu", "dx"):
            np.testing.assert_allclose(getattr(got, name)[k], getattr(row, name), rtol=1e-12)
    assert got.dx.shape == (4, 5) and got.dmu.shape == (4,)


def test_forward_with_leading_axis_matches_row_by_row() -> None:
    rng = np.random.default_rng(7)
    x, gamma, beta = rng.normal(size=(3, 4)), rng.normal(size=3), rng.normal(size=3)
    eps = np.array([1e-3, 0.1, 1.0])
    got = batchnorm.forward(x, gamma=gamma, beta=beta, eps=eps)
    for k in range(3):
        row = batchnorm.forward(x[k], gamma=gamma[k], beta=beta[k], eps=eps[k])
        for name in ("mu", "var", "xhat", "y"):
            np.testing.assert_allclose(getattr(got, name)[k], getattr(row, name), rtol=1e-12)


def test_scalar_gamma_broadcasts_over_batches() -> None:
    rng = np.random.default_rng(6)
    x, dy = rng.normal(size=(3, 4)), rng.normal(size=4)
    got = batchnorm.gradients(x, dy, gamma=2.0, eps=EPS)
    t = _torch_graph(x[1], dy, 2.0, False, frozenset())
    np.testing.assert_allclose(got.dx[1], t["x"].grad.numpy(), rtol=1e-9)


@pytest.mark.parametrize(
    ("x", "dy", "options"),
    [
        (np.ones(3), np.ones(3), {"drop_paths": frozenset({"sigma"})}),
        (np.ones(3), np.ones(2), {}),
        (np.ones(1), np.ones(1), {"unbiased": True}),
        (np.ones(65), np.ones(65), {}),
        (np.float64(1.0), np.ones(1), {}),
        (np.ones((2, 3)), np.ones((3, 3)), {}),
    ],
)
def test_gradients_reject_bad_input(
    x: np.ndarray, dy: np.ndarray, options: dict[str, object]
) -> None:
    with pytest.raises(ValueError):
        batchnorm.gradients(x, dy, gamma=1.0, eps=EPS, **options)
