"""Fully connected networks with samples as rows of X, so a layer computes X @ W + b."""

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
Dim = int | str


def _check_sizes(*, batch: Dim = 1, **sizes: int) -> None:
    # Only the batch may be a symbolic name such as "m"; layer widths are always numbers.
    if not (isinstance(batch, str) and batch.isidentifier()):
        _check_positive("batch", batch)
    for name, value in sizes.items():
        _check_positive(name, value)


def _check_positive(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        message = "a positive size or a symbolic name" if name == "batch" else "a positive size"
        raise ValueError(f"{name} must be {message}, got {value!r}")


def input_shape(*, batch: Dim, n_in: int, transposed: bool = False) -> tuple[Dim, ...]:
    """Shape of the input matrix X: one row per sample (one column when transposed)."""
    _check_sizes(batch=batch, n_in=n_in)
    return (n_in, batch) if transposed else (batch, n_in)


def weight_shape(*, n_in: int, n_out: int, transposed: bool = False) -> tuple[int, ...]:
    """Shape of W in X @ W; transposed=True gives the (n_out, n_in) column convention."""
    _check_sizes(n_in=n_in, n_out=n_out)
    return (n_out, n_in) if transposed else (n_in, n_out)


def bias_shape(*, n_out: int, transposed: bool = False) -> tuple[int, ...]:
    """Shape of the bias vector, broadcast over the rows of X @ W (a column when transposed)."""
    _check_sizes(n_out=n_out)
    return (n_out, 1) if transposed else (n_out,)


def output_shape(*, batch: Dim, n_out: int, transposed: bool = False) -> tuple[Dim, ...]:
    """Shape of a layer's output: one row per sample (one column when transposed)."""
    _check_sizes(batch=batch, n_out=n_out)
    return (n_out, batch) if transposed else (batch, n_out)


def param_count(*, n_in: int, n_out: int, bias: bool = True) -> int:
    """Number of trainable parameters of one dense layer."""
    _check_sizes(n_in=n_in, n_out=n_out)
    return n_in * n_out + (n_out if bias else 0)


def forward(
    x: FloatArray,
    layers: Sequence[tuple[FloatArray, FloatArray]],
    *,
    hidden_relu: bool = True,
    output_relu: bool = True,
    biases: bool = True,
) -> FloatArray:
    """Forward pass of X through dense layers; x may carry leading batch axes (..., m, n_in)."""
    if not layers:
        raise ValueError("a network needs at least one layer")
    h = np.asarray(x, dtype=np.float64)
    for index, (weight, bias) in enumerate(layers):
        # matmul broadcasts over leading axes, so many mini-batches run in one call.
        h = h @ np.asarray(weight, dtype=np.float64)
        if biases:
            h = h + np.asarray(bias, dtype=np.float64)
        is_output = index == len(layers) - 1
        if output_relu if is_output else hidden_relu:
            h = np.maximum(h, 0.0)
    return h
