import math

import pytest
import torch
import torch.nn.functional as F

from reference import conv


def _numel(*modules: torch.nn.Module) -> int:
    return sum(p.numel() for m in modules for p in m.parameters())


@pytest.mark.parametrize(
    ("c_in", "c_out", "kernel", "bias"),
    [
        (3, 100, 3, True),
        (100, 200, 3, True),
        (3, 4, 3, False),
        (2, 5, (3, 1), True),
        (1, 1, 1, False),
    ],
)
def test_conv2d_params_match_torch(
    c_in: int, c_out: int, kernel: int | tuple[int, int], bias: bool
) -> None:
    module = torch.nn.Conv2d(c_in, c_out, kernel, bias=bias)
    got = conv.conv2d_params(in_channels=c_in, out_channels=c_out, kernel=kernel, bias=bias)
    assert got == _numel(module)


@pytest.mark.parametrize(
    ("c_in", "c_out", "kernel", "multiplier", "bias"),
    [(3, 4, 3, 1, False), (3, 4, 3, 1, True), (8, 16, (5, 3), 2, False), (1, 7, 1, 3, True)],
)
def test_depthwise_separable_params_match_torch(
    c_in: int, c_out: int, kernel: int | tuple[int, int], multiplier: int, bias: bool
) -> None:
    middle = c_in * multiplier
    depthwise = torch.nn.Conv2d(c_in, middle, kernel, groups=c_in, bias=bias)
    pointwise = torch.nn.Conv2d(middle, c_out, 1, bias=bias)
    got = conv.depthwise_separable_params(
        in_channels=c_in, out_channels=c_out, kernel=kernel, depth_multiplier=multiplier, bias=bias
    )
    assert got == _numel(depthwise, pointwise)


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "dilation"),
    [
        (28, 5, 1, 0, 1),
        (28, 5, 1, 2, 1),
        (200, 3, 2, 1, 1),
        (7, 3, 3, 2, 2),
        (10, 3, 1, "valid", 1),
        (11, 4, 2, "valid", 1),
        (9, 3, 1, "same", 1),
        (10, 3, 1, "same", 2),
        (5, 5, 1, 0, 1),
    ],
)
def test_output_size_matches_running_torch(
    size: int, kernel: int, stride: int, padding: int | str, dilation: int
) -> None:
    x = torch.zeros(1, 1, size, size)
    w = torch.zeros(1, 1, kernel, kernel)
    torch_padding = 0 if padding == "valid" else padding
    y = F.conv2d(x, w, stride=stride, padding=torch_padding, dilation=dilation)
    got = conv.output_size(
        size=size,
        kernel=kernel,
        stride=stride,
        padding=padding,  # type: ignore[arg-type]
        dilation=dilation,
    )
    assert got == y.shape[-1]


def _tf_same(x: torch.Tensor, kernel: int, stride: int) -> torch.Tensor:
    # torch refuses padding="same" with stride > 1; TensorFlow pads (out-1)*s + k - n in
    # total, the odd one at the bottom/right, so do that by hand and run the convolution.
    out = [math.ceil(n / stride) for n in x.shape[-2:]]
    total = [max((o - 1) * stride + kernel - n, 0) for o, n in zip(out, x.shape[-2:], strict=True)]
    pads = (total[1] // 2, total[1] - total[1] // 2, total[0] // 2, total[0] - total[0] // 2)
    return F.conv2d(F.pad(x, pads), torch.zeros(1, x.shape[1], kernel, kernel), stride=stride)


@pytest.mark.parametrize(
    ("size", "kernel", "stride"), [(200, 3, 2), (300, 3, 2), (7, 3, 3), (5, 4, 2)]
)
def test_same_padding_with_stride_follows_tensorflow(size: int, kernel: int, stride: int) -> None:
    y = _tf_same(torch.zeros(1, 1, size, size), kernel, stride)
    assert conv.output_size(size=size, kernel=kernel, stride=stride, padding="same") == y.shape[-1]


@pytest.mark.parametrize(
    "options",
    [
        {"size": 0, "kernel": 3},
        {"size": "9", "kernel": 3},
        {"size": 3, "kernel": 0},
        {"size": 3, "kernel": 3, "stride": 0},
        {"size": 3, "kernel": 5},
        {"size": 3, "kernel": 3, "padding": -1},
        {"size": 3, "kernel": 3, "padding": "full"},
        {"size": 3, "kernel": 3, "padding": True},
        {"size": 3, "kernel": 3, "padding": 1.5},
        {"size": 3, "kernel": 3, "padding": "SAME "},
    ],
)
def test_output_size_rejects_bad_options(options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        conv.output_size(**options)  # type: ignore[arg-type]


def _torch_stack(
    in_channels: int, maps: list[int], kernel: int, bias: bool
) -> list[torch.nn.Conv2d]:
    channels = [in_channels, *maps]
    return [torch.nn.Conv2d(a, b, kernel, bias=bias) for a, b in zip(channels, maps, strict=False)]


@pytest.mark.parametrize(("maps", "bias"), [([100, 200, 400], True), ([6, 16], False), ([1], True)])
def test_stack_counts_match_torch(maps: list[int], bias: bool) -> None:
    layers = _torch_stack(3, maps, 3, bias)
    per_layer = conv.stack_params(in_channels=3, feature_maps=maps, kernel=3, bias=bias)
    assert per_layer == tuple(_numel(layer) for layer in layers)
    assert conv.stack_total(in_channels=3, feature_maps=maps, kernel=3, bias=bias) == _numel(
        *layers
    )


def test_stack_output_shapes_match_tensorflow_same_stack() -> None:
    maps = [100, 200, 400]
    shapes = conv.stack_output_shapes(
        height=200, width=300, feature_maps=maps, kernel=3, stride=2, padding="same"
    )
    x = torch.zeros(1, 3, 200, 300)
    for (h, w, c), maps_so_far in zip(shapes, maps, strict=True):
        x = _tf_same(x, 3, 2).expand(1, maps_so_far, -1, -1)
        assert (h, w, c) == (x.shape[2], x.shape[3], x.shape[1])


@pytest.mark.parametrize("padding", [0, 1, "valid"])
def test_stack_output_shapes_match_running_torch(padding: int | str) -> None:
    maps = [4, 5]
    shapes = conv.stack_output_shapes(
        height=17,
        width=12,
        feature_maps=maps,
        kernel=3,
        stride=2,
        padding=padding,  # type: ignore[arg-type]
    )
    x = torch.zeros(1, 2, 17, 12)
    for layer, shape in zip(_torch_stack(2, maps, 3, True), shapes, strict=True):
        layer.padding = (0, 0) if padding == "valid" else (padding, padding)  # type: ignore[assignment]
        layer.stride = (2, 2)
        x = layer(x)
        assert shape == (x.shape[2], x.shape[3], x.shape[1])


@pytest.mark.parametrize(
    "kernel", [0, -1, True, (3,), (3, 3, 3), (0, 3), (3, False), "33", (3.0, 3), None]
)
def test_bad_kernels_are_rejected(kernel: object) -> None:
    with pytest.raises(ValueError, match="kernel"):
        conv.conv2d_params(in_channels=3, out_channels=4, kernel=kernel)  # type: ignore[arg-type]


@pytest.mark.parametrize("maps", [[0], [4, -2], [True], ["4"], [2.5]])
def test_bad_feature_maps_are_rejected(maps: list[int]) -> None:
    with pytest.raises(ValueError):
        conv.stack_total(in_channels=3, feature_maps=maps, kernel=3)
    with pytest.raises(ValueError):
        conv.stack_output_shapes(
            height=8, width=8, feature_maps=maps, kernel=3, stride=1, padding="same"
        )
