from fractions import Fraction

import numpy as np
import pytest

from reference.exact import (
    SingularSystemError,
    apply,
    inverse,
    pinv,
    rref,
    solve_unique,
    to_matrix,
)


def _random_int_matrix(seed: int, rows: int, cols: int, rank: int) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    left = rng.integers(-4, 5, size=(rows, rank))
    right = rng.integers(-4, 5, size=(rank, cols))
    return (left @ right).tolist()


def _as_float(matrix: list[list[Fraction]]) -> np.ndarray:
    return np.array([[float(v) for v in row] for row in matrix])


@pytest.mark.parametrize(
    ("seed", "rows", "cols", "rank"),
    [(0, 3, 3, 3), (1, 4, 2, 2), (2, 2, 5, 2), (3, 4, 4, 2), (4, 5, 3, 1), (5, 1, 2, 1)],
)
def test_pinv_matches_numpy(seed: int, rows: int, cols: int, rank: int) -> None:
    a = _random_int_matrix(seed, rows, cols, rank)
    expected = np.linalg.pinv(np.array(a, dtype=float))
    np.testing.assert_allclose(_as_float(pinv(to_matrix(a))), expected, atol=1e-12)


def test_pinv_of_zero_matrix_is_zero_transpose() -> None:
    assert pinv(to_matrix([[0, 0, 0], [0, 0, 0]])) == [[0, 0], [0, 0], [0, 0]]


@pytest.mark.parametrize(("seed", "size"), [(10, 1), (11, 2), (12, 4), (13, 6)])
def test_solve_and_inverse_match_numpy(seed: int, size: int) -> None:
    a = _random_int_matrix(seed, size, size, size)
    b = list(range(1, size + 1))
    assert np.linalg.matrix_rank(np.array(a, dtype=float)) == size  # seeds chosen non-singular
    x = solve_unique(to_matrix(a), b)
    np.testing.assert_allclose([float(v) for v in x], np.linalg.solve(a, b), rtol=1e-12)
    assert apply(to_matrix(a), x) == tuple(Fraction(v) for v in b)
    np.testing.assert_allclose(_as_float(inverse(to_matrix(a))), np.linalg.inv(a), atol=1e-12)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ([[1, 2], [2, 4]], [1, 2]),  # dependent rows: infinitely many solutions
        ([[1, 2], [2, 4]], [1, 3]),  # contradictory rows: no solution
        ([[1, 2, 3]], [1]),  # fewer equations than unknowns
        ([[0, 0], [0, 0]], [0, 0]),
    ],
)
def test_solve_unique_rejects_singular_systems(a: list[list[int]], b: list[int]) -> None:
    with pytest.raises(SingularSystemError):
        solve_unique(to_matrix(a), b)


@pytest.mark.parametrize("rows", [[], [[]], [[1, 2], [3]], [[1], []]])
def test_to_matrix_rejects_ragged_or_empty(rows: list[list[int]]) -> None:
    with pytest.raises(ValueError, match="matrix"):
        to_matrix(rows)


def test_inverse_rejects_non_square_and_singular() -> None:
    with pytest.raises(ValueError, match="square"):
        inverse(to_matrix([[1, 2, 3], [4, 5, 6]]))
    with pytest.raises(SingularSystemError):
        inverse(to_matrix([[1, 2], [2, 4]]))


def test_rref_pivots_equal_numpy_rank() -> None:
    a = _random_int_matrix(20, 5, 6, 3)
    _, pivots = rref(to_matrix(a))
    assert len(pivots) == np.linalg.matrix_rank(np.array(a, dtype=float))
