"""Array rules used by the evaluator, on shapes the tree tests do not reach."""

import numpy as np
import pytest

from app.grading.sampling import arrays
from app.grading.sampling.batch import EvaluationError


def test_vector_times_one_row_matrix_is_an_outer_product() -> None:
    rng = np.random.default_rng(0)
    vector, row = rng.normal(size=(2, 3)), rng.normal(size=(2, 1, 4))
    np.testing.assert_allclose(
        arrays.multiply(vector, row), np.einsum("kn,kc->knc", vector, row[:, 0, :])
    )


def test_inverse_of_a_non_finite_draw_is_nan() -> None:
    matrices = np.stack([np.eye(2) * 2, np.full((2, 2), np.inf)])
    result = arrays.inverse(matrices)
    np.testing.assert_allclose(result[0], np.eye(2) / 2)
    assert np.isnan(result[1]).all()


def test_matrix_power_of_a_vector_is_refused() -> None:
    with pytest.raises(EvaluationError):
        arrays.matrix_power(np.ones((2, 3)), 2)


def test_zeroth_power_is_the_identity() -> None:
    matrices = np.random.default_rng(1).normal(size=(3, 2, 2))
    np.testing.assert_allclose(
        arrays.matrix_power(matrices, 0), np.broadcast_to(np.eye(2), (3, 2, 2))
    )


def test_a_vector_adds_to_rows_first_then_to_columns() -> None:
    rng = np.random.default_rng(2)
    wide, tall, vector = (
        rng.normal(size=(2, 4, 3)),
        rng.normal(size=(2, 3, 4)),
        rng.normal(size=(2, 3)),
    )
    np.testing.assert_allclose(arrays.add(wide, vector), wide + vector[:, None, :])
    np.testing.assert_allclose(arrays.add(vector, tall), tall + vector[:, :, None])
    square = rng.normal(size=(2, 3, 3))
    np.testing.assert_allclose(arrays.add(square, vector), square + vector[:, None, :])
    with pytest.raises(EvaluationError):
        arrays.add(rng.normal(size=(2, 4, 5)), vector)
