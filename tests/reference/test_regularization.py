from fractions import Fraction
from itertools import product

import numpy as np
import pytest

from reference.regularization import (
    dropout_least_squares,
    dropout_to_tikhonov,
    min_norm_solution,
    tikhonov_to_ridge_design,
)


def _expected_dropout_loss(x: np.ndarray, y: np.ndarray, w: np.ndarray, p: float) -> float:
    """E||y - (R o X) w||^2 over every Bernoulli(p) mask R, enumerated exactly."""
    total = 0.0
    for bits in product((0, 1), repeat=x.size):
        mask = np.array(bits, dtype=float).reshape(x.shape)
        probability = p ** mask.sum() * (1 - p) ** (x.size - mask.sum())
        total += probability * np.sum((y - (mask * x) @ w) ** 2)
    return total


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9, 1.0])
def test_dropout_to_tikhonov_matches_enumerated_masks(p: float) -> None:
    rng = np.random.default_rng(int(p * 10))
    x, y, w_tilde = rng.normal(size=(3, 2)), rng.normal(size=3), rng.normal(size=2)
    gamma_tilde = np.diag(np.sqrt(np.diag(x.T @ x)))
    w, gamma = dropout_to_tikhonov(p=p, w_tilde=w_tilde, gamma_tilde=gamma_tilde)
    tikhonov = np.sum((y - x @ w) ** 2) + np.sum((gamma @ w) ** 2)
    assert tikhonov == pytest.approx(_expected_dropout_loss(x, y, w_tilde, p), rel=1e-12)


def test_dropout_to_tikhonov_with_leading_axis_and_general_gamma() -> None:
    rng = np.random.default_rng(1)
    p = np.array([0.1, 0.4, 0.75])
    x, y = rng.normal(size=(5, 3)), rng.normal(size=5)
    w_tilde, gamma_tilde = rng.normal(size=(3, 3)), rng.normal(size=(3, 3, 3))
    w, gamma = dropout_to_tikhonov(p=p, w_tilde=w_tilde, gamma_tilde=gamma_tilde)
    for k in range(3):
        dropout = np.sum((y - p[k] * x @ w_tilde[k]) ** 2)
        dropout += p[k] * (1 - p[k]) * np.sum((gamma_tilde[k] @ w_tilde[k]) ** 2)
        tikhonov = np.sum((y - x @ w[k]) ** 2) + np.sum((gamma[k] @ w[k]) ** 2)
        assert tikhonov == pytest.approx(dropout, rel=1e-12)


@pytest.mark.parametrize("p", [0.0, -0.5, 1.5, float("nan"), float("inf")])
def test_dropout_to_tikhonov_rejects_bad_probabilities(p: float) -> None:
    with pytest.raises(ValueError, match="keep probability"):
        dropout_to_tikhonov(p=p, w_tilde=np.ones(2), gamma_tilde=np.eye(2))


def _tikhonov(x: np.ndarray, y: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    return np.linalg.solve(x.T @ x + gamma.T @ gamma, x.T @ y)


def _ridge(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.linalg.solve(x.T @ x + np.eye(x.shape[1]), x.T @ y)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ridge_design_turns_tikhonov_into_ridge(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=6)
    gamma = rng.normal(size=(3, 3)) + 3 * np.eye(3)
    x_tilde = tikhonov_to_ridge_design(x=x, gamma=gamma)
    np.testing.assert_allclose(x_tilde @ gamma, x, atol=1e-12)
    np.testing.assert_allclose(gamma @ _tikhonov(x, y, gamma), _ridge(x_tilde, y), atol=1e-10)


def test_ridge_design_with_leading_axis() -> None:
    rng = np.random.default_rng(3)
    x, gamma = rng.normal(size=(4, 5, 2)), rng.normal(size=(4, 2, 2)) + 2 * np.eye(2)
    got = tikhonov_to_ridge_design(x=x, gamma=gamma)
    for k in range(4):
        np.testing.assert_allclose(got[k], tikhonov_to_ridge_design(x=x[k], gamma=gamma[k]))


@pytest.mark.parametrize(
    "gamma", [np.zeros((2, 2)), np.array([[1.0, 2.0], [2.0, 4.0]]), np.ones((2, 3))]
)
def test_ridge_design_rejects_singular_gamma(gamma: np.ndarray) -> None:
    with pytest.raises(ValueError):
        tikhonov_to_ridge_design(x=np.ones((3, 2)), gamma=gamma)


MATRICES = [
    ([[10, 1]], [11]),  # eecs182 q5.a: one sample, two features
    ([[1, 2], [2, 4], [3, 6]], [1, 0, 2]),  # rank one, inconsistent
    ([[1, 0, 2], [0, 1, 1]], [3, -1]),  # underdetermined
    ([[2, 1], [1, 3], [0, 1]], [1, 2, 3]),  # full column rank
    ([[0, 0], [0, 0]], [1, 2]),
]


@pytest.mark.parametrize(("x", "y"), MATRICES)
def test_min_norm_solution_matches_numpy(x: list[list[int]], y: list[int]) -> None:
    w = np.array([float(v) for v in min_norm_solution(x=x, y=y)])
    a, b = np.array(x, dtype=float), np.array(y, dtype=float)
    np.testing.assert_allclose(w, np.linalg.lstsq(a, b, rcond=None)[0], atol=1e-12)
    np.testing.assert_allclose(w, np.linalg.pinv(a) @ b, atol=1e-12)


@pytest.mark.parametrize(("x", "y"), [([[1, 2], [3]], [1, 2]), ([[1, 2]], [1, 2]), ([], [])])
def test_min_norm_solution_rejects_bad_shapes(x: list[list[int]], y: list[int]) -> None:
    with pytest.raises(ValueError):
        min_norm_solution(x=x, y=y)


def _numpy_dropout_ls(x: list[int], y: int, keep: float) -> tuple[np.ndarray, np.ndarray]:
    masks = np.array(list(product((0, 1), repeat=len(x))), dtype=float)
    rows = masks * np.array(x, dtype=float) / keep
    kept = masks.sum(axis=1)
    root = np.sqrt(keep**kept * (1 - keep) ** (len(x) - kept))
    a, b = rows * root[:, None], np.full(len(masks), float(y)) * root
    return np.linalg.lstsq(a, b, rcond=None)[0], np.linalg.pinv(a) @ b


@pytest.mark.parametrize(
    ("x", "y", "keep"),
    [
        ([10, 1], 11, Fraction(1, 2)),
        ([3, -2, 5], 4, Fraction(2, 3)),
        ([0, 2], 1, Fraction(1, 4)),
        ([7], -3, Fraction(1)),
    ],
)
def test_dropout_least_squares_matches_numpy(x: list[int], y: int, keep: Fraction) -> None:
    w = np.array([float(v) for v in dropout_least_squares(x=x, y=y, keep=keep)])
    lstsq, via_pinv = _numpy_dropout_ls(x, y, float(keep))
    np.testing.assert_allclose(w, lstsq, atol=1e-12)
    np.testing.assert_allclose(w, via_pinv, atol=1e-12)


def test_dropout_least_squares_at_one_half_is_plain_least_squares_over_copies() -> None:
    copies = [[10 * a * 2, 1 * b * 2] for a, b in product((0, 1), repeat=2)]
    expected = min_norm_solution(x=copies, y=[11] * 4)
    assert dropout_least_squares(x=[10, 1], y=11, keep=Fraction(1, 2)) == expected


@pytest.mark.parametrize(
    ("x", "keep"),
    [
        ([1, 2], Fraction(0)),
        ([1, 2], Fraction(3, 2)),
        ([], Fraction(1, 2)),
        ([1] * 13, Fraction(1, 2)),
    ],
)
def test_dropout_least_squares_rejects_bad_input(x: list[int], keep: Fraction) -> None:
    with pytest.raises(ValueError):
        dropout_least_squares(x=x, y=1, keep=keep)
