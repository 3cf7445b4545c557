from itertools import combinations

import pytest
import torch

from reference.normalization import identify, reduction_axes

# torch lays activations out as N, C, H, W.
DIMS = {"N": 0, "C": 1, "H": 2, "W": 3}
EPS = 1e-5


def _modules(channels: int, shape: tuple[int, ...]) -> dict[str, torch.nn.Module]:
    return {
        "batch": torch.nn.BatchNorm2d(channels, eps=EPS, affine=False).train(),
        "layer": torch.nn.LayerNorm(shape[1:], eps=EPS, elementwise_affine=False),
        "instance": torch.nn.InstanceNorm2d(channels, eps=EPS),
    }


def _normalise_over(x: torch.Tensor, axes: frozenset[str]) -> torch.Tensor:
    dims = sorted(DIMS[a] for a in axes)
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, keepdim=True, unbiased=False)
    return (x - mean) / torch.sqrt(var + EPS)


def _reproducing_axes(module: torch.nn.Module, x: torch.Tensor) -> list[frozenset[str]]:
    """Every non-empty set of axes whose normalisation gives the module's output."""
    expected = module(x)
    subsets = [frozenset(c) for r in range(1, 5) for c in combinations("NCHW", r)]
    return [
        axes for axes in subsets if torch.allclose(_normalise_over(x, axes), expected, atol=1e-6)
    ]


@pytest.mark.parametrize("kind", ["batch", "layer", "instance"])
def test_reduction_axes_reproduce_the_torch_module(kind: str) -> None:
    torch.manual_seed(0)
    x = torch.randn(4, 3, 5, 6, dtype=torch.float64) * 3 + torch.arange(3.0).reshape(1, 3, 1, 1)
    module = _modules(3, tuple(x.shape))[kind].double()
    assert _reproducing_axes(module, x) == [reduction_axes(kind)]  # type: ignore[arg-type]


FIGURE = {"A": ["N", "H", "W"], "B": ["C", "H", "W"], "C": ["H", "W"]}


@pytest.mark.parametrize("kind", ["batch", "layer", "instance"])
def test_identify_finds_the_letter_whose_axes_match(kind: str) -> None:
    letter = identify(groupings=FIGURE, kind=kind)
    assert frozenset(FIGURE[letter]) == reduction_axes(kind)  # type: ignore[arg-type]
    shuffled = {k: [a.lower() for a in reversed(v)] for k, v in FIGURE.items()}
    assert identify(groupings=shuffled, kind=kind) == letter


@pytest.mark.parametrize(
    ("groupings", "kind", "message"),
    [
        ({"A": ["N", "H", "W"], "B": ["W", "H", "N"]}, "batch", "groupings"),
        ({"A": ["C", "H"]}, "batch", "no grouping"),
        ({}, "layer", "no grouping"),
        (FIGURE, "group", "unknown"),
        (FIGURE, "__import__('os')", "unknown"),
        ({"A": ["N", "H", "W", "T"]}, "batch", "distinct axes"),
        ({"A": ["N", "N", "H", "W"]}, "batch", "distinct axes"),
    ],
)
def test_identify_rejects_ambiguous_or_bad_groupings(
    groupings: dict[str, list[str]], kind: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        identify(groupings=groupings, kind=kind)
