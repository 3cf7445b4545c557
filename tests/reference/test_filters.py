from fractions import Fraction

import numpy as np
import pytest
import torch

from reference.filters import SingularSystemError, recover_filter


def _correlate(signal: list[int], weights: tuple[Fraction, ...]) -> list[float]:
    # torch's conv1d is a cross-correlation (no flip), the convention the problem uses.
    x = torch.tensor(signal, dtype=torch.float64).reshape(1, 1, -1)
    w = torch.tensor([float(v) for v in weights], dtype=torch.float64).reshape(1, 1, -1)
    return torch.nn.functional.conv1d(x, w).flatten().tolist()


def _random_case(seed: int, n: int, length: int) -> tuple[list[int], list[int]]:
    rng = np.random.default_rng(seed)
    signal = rng.integers(-5, 6, size=n).tolist()
    hidden = rng.integers(-3, 4, size=length).astype(float)
    output = np.correlate(np.array(signal, dtype=float), hidden, mode="valid")
    return signal, [round(v) for v in output]


def test_eecs182_filter_reproduces_the_output() -> None:
    signal, output = [1, 4, 0, -2, 3], [-2, 2, 11]
    weights = recover_filter(signal=signal, output=output, length=3)
    assert _correlate(signal, weights) == pytest.approx(output, abs=1e-12)


@pytest.mark.parametrize(("seed", "n", "length"), [(0, 5, 3), (1, 7, 4), (2, 4, 2), (3, 6, 1)])
def test_random_filters_reproduce_their_output(seed: int, n: int, length: int) -> None:
    signal, output = _random_case(seed, n, length)
    windows = np.lib.stride_tricks.sliding_window_view(np.array(signal, dtype=float), length)
    if np.linalg.matrix_rank(windows) < length:
        with pytest.raises(SingularSystemError):
            recover_filter(signal=signal, output=output, length=length)
        return
    weights = recover_filter(signal=signal, output=output, length=length)
    assert _correlate(signal, weights) == pytest.approx(output, abs=1e-9)


def test_flip_reverses_and_matches_true_convolution() -> None:
    signal, output = [1, 4, 0, -2, 3], [-2, 2, 11]
    flipped = recover_filter(signal=signal, output=output, length=3, flip=True)
    assert flipped == recover_filter(signal=signal, output=output, length=3)[::-1]
    convolved = np.convolve(signal, [float(v) for v in flipped], mode="valid")
    np.testing.assert_allclose(convolved, output)


@pytest.mark.parametrize(
    ("signal", "output", "length"),
    [
        ([0, 0, 0, 0], [0, 0], 3),  # all-zero signal: every filter works
        ([1, 1, 1, 1], [3, 3], 3),  # constant signal: only the sum of w is fixed
        ([1, 2, 3, 4], [1, 2, 4], 2),  # overdetermined and contradictory
    ],
)
def test_singular_systems_raise(signal: list[int], output: list[int], length: int) -> None:
    with pytest.raises(SingularSystemError, match="solution"):
        recover_filter(signal=signal, output=output, length=length)


@pytest.mark.parametrize(
    ("signal", "output", "length"),
    [([1, 2, 3], [1, 2], 3), ([1, 2], [1], 3), ([1, 2, 3], [1], 0), ([], [], 1)],
)
def test_inconsistent_lengths_raise(signal: list[int], output: list[int], length: int) -> None:
    with pytest.raises(ValueError, match="filter|output"):
        recover_filter(signal=signal, output=output, length=length)
