"""The dense-network context against a torch forward pass, with ReLU really exercised."""

import numpy as np
import pytest
import torch

from app.grading.sampling.batch import SampleBatch
from app.grading.sampling.contexts.dense import DenseNetworkContext

CONTEXT = DenseNetworkContext(n_in=10, n_hidden=50, n_out=3)
BATCHES = CONTEXT.batches()


def _layer(weight: np.ndarray, bias: np.ndarray, *, with_bias: bool) -> torch.nn.Linear:
    layer = torch.nn.Linear(*weight.shape, bias=with_bias, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(weight.T))
        if with_bias:
            layer.bias.copy_(torch.tensor(bias))
    return layer


def _torch_forward(batch: SampleBatch, *, hidden: bool, output: bool, bias: bool) -> np.ndarray:
    v, outputs = batch.values, []
    for draw in range(batch.draws):
        layers: list[torch.nn.Module] = [_layer(v["W_h"][draw], v["b_h"][draw], with_bias=bias)]
        layers += [torch.nn.ReLU()] if hidden else []
        layers += [_layer(v["W_o"][draw], v["b_o"][draw], with_bias=bias)]
        layers += [torch.nn.ReLU()] if output else []
        with torch.no_grad():
            outputs.append(torch.nn.Sequential(*layers)(torch.tensor(v["X"][draw])).numpy())
    return np.stack(outputs)


@pytest.mark.parametrize(
    ("quantity", "hidden", "output", "bias"),
    [
        ("Y", True, True, True),
        ("Y_no_output_relu", True, False, True),
        ("Y_no_hidden_relu", False, True, True),
        ("Y_no_bias", True, True, False),
    ],
)
def test_outputs_match_torch(quantity: str, hidden: bool, output: bool, bias: bool) -> None:
    for batch in BATCHES:
        expected = _torch_forward(batch, hidden=hidden, output=output, bias=bias)
        np.testing.assert_allclose(batch.quantities[quantity], expected, atol=1e-12)


def test_values_have_the_declared_shapes() -> None:
    for batch in BATCHES:
        for name, shape in CONTEXT.shapes().items():
            concrete = tuple(batch.size if dim == "m" else dim for dim in shape)
            assert batch.values[name].shape[1:] == concrete
        for name, shape in CONTEXT.quantity_shapes().items():
            assert batch.quantities[name].shape[1:] == (batch.size, *shape[1:])


def test_relu_is_exercised_and_mistakes_differ() -> None:
    for batch in BATCHES:
        y, no_relu = batch.quantities["Y"], batch.quantities["Y_no_output_relu"]
        assert 0.1 < (no_relu < 0).mean() < 0.9
        for other in ("Y_no_output_relu", "Y_no_hidden_relu", "Y_no_bias"):
            assert not np.allclose(y, batch.quantities[other])


@pytest.mark.parametrize("widths", [(10, 50, 3), (2, 4, 7), (7, 3, 2)])
def test_batch_sizes_avoid_the_layer_widths(widths: tuple[int, int, int]) -> None:
    n_in, n_hidden, n_out = widths
    sizes = DenseNetworkContext(n_in=n_in, n_hidden=n_hidden, n_out=n_out).batch_sizes()
    assert len(set(sizes)) == 3 and not set(sizes) & set(widths)


@pytest.mark.parametrize("width", [0, -3, 2.5, "m", True])
def test_layer_widths_must_be_positive_integers(width: object) -> None:
    with pytest.raises(ValueError, match="positive integers"):
        DenseNetworkContext(n_in=width)  # type: ignore[arg-type]
