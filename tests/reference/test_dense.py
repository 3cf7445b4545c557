import numpy as np
import pytest
import torch

from reference import dense

SIZES = [(10, 50), (50, 3), (1, 1), (7, 2)]


@pytest.mark.parametrize(("n_in", "n_out"), SIZES)
@pytest.mark.parametrize("bias", [True, False])
def test_shapes_and_counts_match_torch_linear(n_in: int, n_out: int, bias: bool) -> None:
    layer = torch.nn.Linear(n_in, n_out, bias=bias)
    # torch stores W as (out, in) and computes x @ W.T: our X @ W convention is its transpose.
    assert tuple(layer.weight.shape) == dense.weight_shape(n_in=n_in, n_out=n_out, transposed=True)
    assert tuple(layer.weight.T.shape) == dense.weight_shape(n_in=n_in, n_out=n_out)
    if bias:
        assert tuple(layer.bias.shape) == dense.bias_shape(n_out=n_out)
    total = sum(p.numel() for p in layer.parameters())
    assert dense.param_count(n_in=n_in, n_out=n_out, bias=bias) == total


@pytest.mark.parametrize(("n_in", "n_out"), SIZES)
def test_input_and_output_shapes_match_running_torch(n_in: int, n_out: int) -> None:
    m = 5
    x = torch.zeros(dense.input_shape(batch=m, n_in=n_in))
    y = torch.nn.Linear(n_in, n_out)(x)
    assert tuple(y.shape) == dense.output_shape(batch=m, n_out=n_out)


@pytest.mark.parametrize(("n_in", "n_out"), SIZES)
def test_column_convention_shapes_match_running_torch(n_in: int, n_out: int) -> None:
    # Samples as columns: Y^T = W^T X^T + b, with W^T as torch stores it and b as a column.
    m = 5
    layer = torch.nn.Linear(n_in, n_out)
    x_t = torch.zeros(dense.input_shape(batch=m, n_in=n_in, transposed=True))
    bias = layer.bias.detach()[:, None]
    assert tuple(bias.shape) == dense.bias_shape(n_out=n_out, transposed=True)
    y_t = layer.weight.detach() @ x_t + bias
    assert tuple(y_t.shape) == dense.output_shape(batch=m, n_out=n_out, transposed=True)


def test_symbolic_batch_is_kept() -> None:
    assert dense.input_shape(batch="m", n_in=10) == ("m", 10)
    assert dense.output_shape(batch="m", n_out=3) == ("m", 3)


@pytest.mark.parametrize(
    "batch", [0, -1, True, "1+1", "__import__('os')", "m n", "", "().__class__"]
)
def test_bad_dimensions_are_rejected(batch: int | str) -> None:
    with pytest.raises(ValueError, match="batch"):
        dense.input_shape(batch=batch, n_in=10)


@pytest.mark.parametrize("n_in", [0, -3, False, 2.5, None, "10", "n"])
def test_bad_layer_sizes_are_rejected(n_in: object) -> None:
    with pytest.raises(ValueError, match="n_in"):
        dense.param_count(n_in=n_in, n_out=3)  # type: ignore[arg-type]


def _torch_net(
    layers: list[tuple[np.ndarray, np.ndarray]], hidden_relu: bool, output_relu: bool, biases: bool
) -> torch.nn.Sequential:
    modules: list[torch.nn.Module] = []
    for index, (w, b) in enumerate(layers):
        linear = torch.nn.Linear(*w.shape, bias=biases, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w.T))
            if biases:
                linear.bias.copy_(torch.from_numpy(b))
        modules.append(linear)
        last = index == len(layers) - 1
        if output_relu if last else hidden_relu:
            modules.append(torch.nn.ReLU())
    return torch.nn.Sequential(*modules)


FLAGS = [(h, o, b) for h in (True, False) for o in (True, False) for b in (True, False)]


@pytest.mark.parametrize(("hidden_relu", "output_relu", "biases"), FLAGS)
def test_forward_matches_torch(hidden_relu: bool, output_relu: bool, biases: bool) -> None:
    rng = np.random.default_rng(0)
    layers = [
        (rng.normal(size=(10, 50)), rng.normal(size=50)),
        (rng.normal(size=(50, 3)), rng.normal(size=3)),
    ]
    x = rng.normal(size=(4, 6, 10))  # four mini-batches of six samples at once
    net = _torch_net(layers, hidden_relu, output_relu, biases)
    expected = net(torch.from_numpy(x)).detach().numpy()
    got = dense.forward(x, layers, hidden_relu=hidden_relu, output_relu=output_relu, biases=biases)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_forward_flags_change_the_result() -> None:
    rng = np.random.default_rng(1)
    layers = [
        (rng.normal(size=(3, 4)), rng.normal(size=4)),
        (rng.normal(size=(4, 2)), rng.normal(size=2)),
    ]
    x = rng.normal(size=(20, 3))
    base = dense.forward(x, layers, output_relu=False)
    for flags in ({"hidden_relu": False}, {"biases": False}, {"output_relu": True}):
        options = {"output_relu": False, **flags}
        assert not np.allclose(dense.forward(x, layers, **options), base)


def test_forward_rejects_mismatched_or_missing_layers() -> None:
    with pytest.raises(ValueError):
        dense.forward(np.ones((2, 3)), [(np.ones((4, 2)), np.ones(2))])
    with pytest.raises(ValueError, match="layer"):
        dense.forward(np.ones((2, 3)), [])
