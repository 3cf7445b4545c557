"""Transposed convolution by scattering each input value times the kernel into the output."""

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def _as_array(values: object, ndim: int, what: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != ndim or 0 in array.shape:
        raise ValueError(f"{what} must be a non-empty {ndim}-D array, got shape {array.shape}")
    return array


def _check_options(stride: int, padding: int) -> None:
    if stride < 1 or padding < 0:
        raise ValueError(f"need stride >= 1 and padding >= 0, got {stride} and {padding}")


def _crop(full: FloatArray, padding: int) -> FloatArray:
    # Padding of a transposed convolution removes rows/columns from every border of the
    # full scatter, mirroring the padding the forward convolution would add.
    if any(size <= 2 * padding for size in full.shape):
        raise ValueError(f"padding {padding} removes the whole output of shape {full.shape}")
    window = tuple(slice(padding, size - padding) for size in full.shape)
    return full[window]


def conv_transpose1d(
    x: Sequence[float],
    w: Sequence[float],
    *,
    stride: int = 1,
    padding: int = 0,
    flip_kernel: bool = False,
) -> FloatArray:
    """1-D transposed convolution of x with kernel w (single channel)."""
    _check_options(stride, padding)
    signal, kernel = _as_array(x, 1, "x"), _as_array(w, 1, "w")
    if flip_kernel:
        kernel = kernel[::-1]
    full = np.zeros((len(signal) - 1) * stride + len(kernel))
    for i, value in enumerate(signal):
        full[i * stride : i * stride + len(kernel)] += value * kernel
    return _crop(full, padding)


def conv_transpose2d(
    x: Sequence[Sequence[float]],
    w: Sequence[Sequence[float]],
    *,
    stride: int = 1,
    padding: int = 0,
    flip_kernel: bool = False,
) -> FloatArray:
    """2-D transposed convolution of x with kernel w (single channel)."""
    _check_options(stride, padding)
    image, kernel = _as_array(x, 2, "x"), _as_array(w, 2, "w")
    if flip_kernel:
        kernel = kernel[::-1, ::-1]
    (h, wd), (kh, kw) = image.shape, kernel.shape
    full = np.zeros(((h - 1) * stride + kh, (wd - 1) * stride + kw))
    for (i, j), value in np.ndenumerate(image):
        full[i * stride : i * stride + kh, j * stride : j * stride + kw] += value * kernel
    return _crop(full, padding)
