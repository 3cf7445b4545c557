import operator
from collections.abc import Callable

import pytest
import torch

from reference.graphs import EPS, Traced, Tracer, batchnorm_training_graph

OPS: list[tuple[str, Callable[[object, object], Traced | float]]] = [
    ("add", operator.add),
    ("sub", operator.sub),
    ("mul", operator.mul),
    ("div", operator.truediv),
]


@pytest.mark.parametrize(("name", "op"), OPS)
@pytest.mark.parametrize(("a", "b"), [(3.0, 2.0), (-1.5, 4.0), (0.25, -7.0)])
def test_traced_arithmetic_keeps_values_and_merges_reads(
    name: str, op: Callable[[object, object], Traced | float], a: float, b: float
) -> None:
    left, right = Traced(a, frozenset({"a"})), Traced(b, frozenset({"b"}))
    both = op(left, right)
    assert both.value == pytest.approx(op(a, b)) and both.reads == {"a", "b"}
    with_constant = op(left, b)  # a plain number reads no node
    assert with_constant.value == pytest.approx(op(a, b)) and with_constant.reads == {"a"}
    reflected = op(b, left)
    assert reflected.value == pytest.approx(op(b, a)) and reflected.reads == {"a"}


def test_power_and_sqrt_keep_reads() -> None:
    v = Traced(9.0, frozenset({"v"}))
    assert (v**2).value == 81.0 and v.sqrt().value == 3.0 and v.sqrt().reads == {"v"}


def test_tracer_on_small_graphs() -> None:
    t = Tracer()
    a, b = t.node("a", [Traced(2.0)]), t.node("b", [Traced(3.0), Traced(4.0)])
    (p,) = t.node("p", [a[0] * b[0] + a[0] * a[0]])  # a read twice: still one edge
    (q,) = t.node("q", [2.0 * p + 1.0])  # constants add no edges
    t.node("r", [q - b[1], q / 2.0])  # vector node, one edge per source
    assert t.edges == {("a", "p"), ("b", "p"), ("p", "q"), ("q", "r"), ("b", "r")}
    assert q.value == 2 * (2 * 3 + 4) + 1


def test_tracer_refuses_to_redefine_a_node() -> None:
    t = Tracer()
    t.node("a", [Traced(1.0)])
    with pytest.raises(ValueError, match="twice"):
        t.node("a", [Traced(2.0)])


def _torch_edges(one_pass: bool) -> tuple[set[tuple[str, str]], torch.Tensor | None]:
    """Direct dependencies by autograd: each named node is a fresh leaf for what follows."""
    leaves: dict[str, torch.Tensor] = {}
    edges: set[tuple[str, str]] = set()

    def node(name: str, value: torch.Tensor) -> torch.Tensor:
        for source, leaf in leaves.items() if value.requires_grad else ():
            (grad,) = torch.autograd.grad(value.sum(), leaf, allow_unused=True, retain_graph=True)
            if grad is not None:
                edges.add((source, name))
        leaves[name] = value.detach().clone().requires_grad_(True)
        return leaves[name]

    x = node("X", torch.tensor([1.0, 2.0, 4.0, -3.0], dtype=torch.float64, requires_grad=True))
    gamma = node("gamma", torch.tensor(1.5, dtype=torch.float64))
    beta = node("beta", torch.tensor(-0.5, dtype=torch.float64))
    # Move mu off the batch mean: at the mean itself d sigma^2/d mu is zero even where the
    # variance reads mu, and reachability is what matters.
    mu = node("mu", x.mean() + 0.5)
    if one_pass:
        var = (x**2).mean() - x.mean() ** 2
    else:
        var = ((x - mu) ** 2).mean()
    dvar_dmu = torch.autograd.grad(var, mu, allow_unused=True, retain_graph=True)[0]
    var = node("sigma^2", var)
    z = node("Z", (x - mu) / torch.sqrt(var + EPS))
    node("Y", gamma * z + beta)
    return edges, dvar_dmu


def test_batchnorm_graph_agrees_with_autograd_reachability() -> None:
    (centred, dvar_dmu), (raw, dvar_dmu_raw) = _torch_edges(False), _torch_edges(True)
    graph = batchnorm_training_graph()
    assert graph.required == centred & raw
    assert graph.optional == centred ^ raw == {("mu", "sigma^2")}
    assert dvar_dmu is not None and float(dvar_dmu) != 0.0
    assert dvar_dmu_raw is None


def test_batchnorm_graph_nodes_are_the_problem_nodes() -> None:
    graph = batchnorm_training_graph()
    nodes = {n for edge in graph.required | graph.optional for n in edge}
    assert nodes == {"X", "gamma", "beta", "mu", "sigma^2", "Z", "Y"}
    assert not graph.required & graph.optional
    assert all(a != b for a, b in graph.required)
