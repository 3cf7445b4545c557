"""Parameter counts and output sizes of 2-D convolution layers and stacks of them."""

from collections.abc import Sequence
from typing import Literal

Padding = Literal["valid", "same"] | int
Kernel = int | tuple[int, int]


def _pair(kernel: Kernel) -> tuple[int, int]:
    if isinstance(kernel, int):
        pair: tuple[object, ...] = (kernel, kernel)
    else:
        pair = tuple(kernel) if isinstance(kernel, tuple | list) else ()
    match pair:
        case (int() as kh, int() as kw) if _is_positive_int(kh) and _is_positive_int(kw):
            return kh, kw
    raise ValueError(f"a kernel is a positive size or a pair of them, got {kernel!r}")


def _is_positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _positive(**values: int) -> None:
    for name, value in values.items():
        if not _is_positive_int(value):
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def conv2d_params(*, in_channels: int, out_channels: int, kernel: Kernel, bias: bool = True) -> int:
    """Weights (plus one bias per output channel) of a standard 2-D convolution."""
    _positive(in_channels=in_channels, out_channels=out_channels)
    kh, kw = _pair(kernel)
    return kh * kw * in_channels * out_channels + (out_channels if bias else 0)


def depthwise_separable_params(
    *,
    in_channels: int,
    out_channels: int,
    kernel: Kernel,
    depth_multiplier: int = 1,
    bias: bool = False,
) -> int:
    """Parameters of a depthwise convolution followed by a 1x1 pointwise convolution.

    bias=True counts a bias on both convolutions, as two torch Conv2d layers have
    (Keras's SeparableConv2D keeps only the pointwise bias).
    """
    _positive(in_channels=in_channels, depth_multiplier=depth_multiplier)
    kh, kw = _pair(kernel)
    middle = in_channels * depth_multiplier
    depthwise = kh * kw * middle + (middle if bias else 0)
    return depthwise + conv2d_params(
        in_channels=middle, out_channels=out_channels, kernel=1, bias=bias
    )


def output_size(
    *, size: int, kernel: int, stride: int = 1, padding: Padding = 0, dilation: int = 1
) -> int:
    """Output length along one axis; "same" follows TensorFlow: ceil(size / stride)."""
    _positive(size=size, kernel=kernel, stride=stride, dilation=dilation)
    span = dilation * (kernel - 1) + 1
    if padding == "same":
        return -(-size // stride)
    pad = 0 if padding == "valid" else padding
    if not isinstance(pad, int) or isinstance(pad, bool) or pad < 0:
        raise ValueError(f'padding is "valid", "same" or a non-negative int, got {padding!r}')
    if size + 2 * pad < span:
        raise ValueError(f"a kernel spanning {span} does not fit an input of {size} + 2*{pad}")
    return (size + 2 * pad - span) // stride + 1


def stack_params(
    *, in_channels: int, feature_maps: Sequence[int], kernel: Kernel, bias: bool = True
) -> tuple[int, ...]:
    """Parameters of each layer of a stack of convolutions, bottom to top."""
    channels = [in_channels, *feature_maps]
    return tuple(
        conv2d_params(in_channels=c_in, out_channels=c_out, kernel=kernel, bias=bias)
        for c_in, c_out in zip(channels, channels[1:], strict=False)
    )


def stack_total(
    *, in_channels: int, feature_maps: Sequence[int], kernel: Kernel, bias: bool = True
) -> int:
    """Total parameters of a stack of convolutions."""
    return sum(
        stack_params(in_channels=in_channels, feature_maps=feature_maps, kernel=kernel, bias=bias)
    )


def stack_output_shapes(
    *,
    height: int,
    width: int,
    feature_maps: Sequence[int],
    kernel: int,
    stride: int,
    padding: Padding,
) -> tuple[tuple[int, int, int], ...]:
    """(H, W, C) after each layer of a stack of convolutions."""
    shapes: list[tuple[int, int, int]] = []
    for channels in feature_maps:
        _positive(feature_maps=channels)
        height = output_size(size=height, kernel=kernel, stride=stride, padding=padding)
        width = output_size(size=width, kernel=kernel, stride=stride, padding=padding)
        shapes.append((height, width, channels))
    return tuple(shapes)
