import numpy as np
import pytest
import torch
import torch.nn.functional as F

from reference.transpose_conv import conv_transpose1d, conv_transpose2d

CASES = [(stride, padding) for stride in (1, 2, 3) for padding in (0, 1, 2)]


@pytest.mark.parametrize(("stride", "padding"), CASES)
def test_conv_transpose1d_matches_torch(stride: int, padding: int) -> None:
    rng = np.random.default_rng(stride * 10 + padding)
    x, w = rng.normal(size=4), rng.normal(size=3)
    expected = (
        F.conv_transpose1d(
            torch.tensor(x).reshape(1, 1, -1),
            torch.tensor(w).reshape(1, 1, -1),
            stride=stride,
            padding=padding,
        )
        .flatten()
        .numpy()
    )
    got = conv_transpose1d(x.tolist(), w.tolist(), stride=stride, padding=padding)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("stride", "padding"), CASES)
def test_conv_transpose2d_matches_torch(stride: int, padding: int) -> None:
    rng = np.random.default_rng(100 + stride * 10 + padding)
    x, w = rng.normal(size=(3, 4)), rng.normal(size=(3, 2))
    expected = F.conv_transpose2d(
        torch.tensor(x)[None, None], torch.tensor(w)[None, None], stride=stride, padding=padding
    )[0, 0].numpy()
    got = conv_transpose2d(x.tolist(), w.tolist(), stride=stride, padding=padding)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_eecs182_example_matches_torch_and_flip_differs() -> None:
    x, w = [[-1.0, 2.0], [3.0, 1.0]], [[1.0, -1.0], [0.0, 1.0]]
    expected = F.conv_transpose2d(torch.tensor(x)[None, None], torch.tensor(w)[None, None])
    np.testing.assert_allclose(conv_transpose2d(x, w), expected[0, 0].numpy())
    flipped = F.conv_transpose2d(
        torch.tensor(x)[None, None], torch.tensor(w).flip(0, 1)[None, None]
    )
    np.testing.assert_allclose(conv_transpose2d(x, w, flip_kernel=True), flipped[0, 0].numpy())
    assert not np.allclose(conv_transpose2d(x, w, flip_kernel=True), conv_transpose2d(x, w))


@pytest.mark.parametrize(
    ("x", "w", "stride", "padding"),
    [
        ([], [1.0], 1, 0),
        ([1.0], [], 1, 0),
        ([[1.0]], [1.0], 1, 0),
        ([1.0, 2.0], [1.0], 0, 0),
        ([1.0, 2.0], [1.0], 1, -1),
        ([1.0, 2.0], [1.0, 1.0], 1, 2),  # padding eats the whole output
    ],
)
def test_conv_transpose1d_rejects_bad_input(
    x: list[float], w: list[float], stride: int, padding: int
) -> None:
    with pytest.raises(ValueError):
        conv_transpose1d(x, w, stride=stride, padding=padding)


def test_conv_transpose2d_rejects_ragged_input() -> None:
    with pytest.raises(ValueError):
        conv_transpose2d([[1.0, 2.0], [3.0]], [[1.0]])
