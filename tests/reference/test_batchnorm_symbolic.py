import numpy as np
import pytest
import sympy as sp
import torch

from reference.batchnorm_symbolic import symbolic_gradients

EPS = 1e-3


def _autograd(
    x: np.ndarray, dy: np.ndarray, gamma: float, unbiased: bool, var_sees_mu: bool
) -> dict[str, torch.Tensor]:
    """Torch adjoints at every node; var_sees_mu=False cuts the mu -> var edge."""
    xt = torch.tensor(x, requires_grad=True)
    g = torch.tensor(gamma, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    mu = xt.mean()
    mu.retain_grad()
    centre = mu if var_sees_mu else mu.detach()
    var = ((xt - centre) ** 2).sum() / (len(x) - unbiased)
    var.retain_grad()
    xhat = (xt - mu) / torch.sqrt(var + EPS)
    xhat.retain_grad()
    (torch.tensor(dy) * (g * xhat + b)).sum().backward()
    return {
        "dgamma": g.grad,
        "dbeta": b.grad,
        "dxhat": xhat.grad,
        "dvar": var.grad,
        "dmu": mu.grad,
        "dx": xt.grad,
    }


def _evaluate(expr: sp.Expr, values: dict[sp.Symbol, float]) -> float:
    return float(expr.xreplace({k: sp.Float(v, 30) for k, v in values.items()}))


@pytest.mark.parametrize(
    ("m", "unbiased"), [(1, False), (2, False), (3, False), (3, True), (4, True)]
)
def test_symbolic_gradients_match_autograd(m: int, unbiased: bool) -> None:
    s = symbolic_gradients(m, unbiased=unbiased)
    rng = np.random.default_rng(m + 10 * unbiased)
    x, dy, gamma = rng.normal(size=m), rng.normal(size=m), float(rng.normal())
    values = {
        **dict(zip(s.x, x, strict=True)),
        **dict(zip(s.dy, dy, strict=True)),
        s.gamma: gamma,
        s.eps: EPS,
    }
    expected = _autograd(x, dy, gamma, unbiased, var_sees_mu=True)
    for name in ("dgamma", "dbeta", "dvar", "dmu"):
        got = _evaluate(getattr(s, name), values)
        assert got == pytest.approx(float(expected[name]), rel=1e-9, abs=1e-12), name
    for name in ("dxhat", "dx"):
        got_vector = [_evaluate(e, values) for e in getattr(s, name)]
        np.testing.assert_allclose(got_vector, expected[name].numpy(), rtol=1e-9, atol=1e-12)
    direct = _autograd(x, dy, gamma, unbiased, var_sees_mu=False)["dmu"]
    assert _evaluate(s.dmu_direct, values) == pytest.approx(float(direct), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("unbiased", [False, True])
def test_path_through_var_vanishes_at_the_batch_mean(unbiased: bool) -> None:
    s = symbolic_gradients(3, unbiased=unbiased)
    assert sp.simplify(s.dmu - s.dmu_direct) == 0


def test_expressions_use_only_leaf_symbols_and_are_cached() -> None:
    s = symbolic_gradients(3)
    leaves = {*s.x, *s.dy, s.gamma, s.eps}
    for expr in (s.dgamma, s.dbeta, s.dvar, s.dmu, s.dmu_direct, *s.dxhat, *s.dx):
        assert expr.free_symbols <= leaves
    assert s.beta not in s.dx[0].free_symbols
    assert symbolic_gradients(3) is s


@pytest.mark.parametrize(
    ("m", "unbiased"), [(0, False), (1, True), (65, False), (-2, False), (True, False)]
)
def test_unsupported_batch_sizes_are_rejected(m: int, unbiased: bool) -> None:
    with pytest.raises(ValueError, match="batch size"):
        symbolic_gradients(m, unbiased=unbiased)
