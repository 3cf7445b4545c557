"""Arithmetic on sampled values: (k,) scalars, (k, n) vectors and (k, r, c) matrices.

The rules mirror app/grading/sampling/shapes.py: a vector added to a matrix is added to every
row; a one-column matrix times a vector (or a vector times a one-row matrix) is an outer
product, so that `1_m b` broadcasts a bias; a matrix times a conforming vector is a vector.
"""

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from app.grading.messages import sampling as messages
from app.grading.sampling.batch import EvaluationError, FloatArray

SCALAR, VECTOR, MATRIX = 1, 2, 3

BinaryOp = Callable[[FloatArray, FloatArray], FloatArray]
ArrayT = TypeVar("ArrayT", bound=NDArray[Any])


def lift(scalar: ArrayT, ndim: int) -> ArrayT:
    """Reshape a (k,) scalar so that it broadcasts against an array of `ndim` axes."""
    return cast(ArrayT, scalar.reshape(scalar.shape + (1,) * (ndim - 1)))


def add(left: FloatArray, right: FloatArray) -> FloatArray:
    """Sum of two sampled values of the same shape, or of a matrix and a vector.

    The vector adds to each row when it is as long as a row, else to each column (the rule of
    shapes.add_shapes).
    """
    if left.shape == right.shape:
        return left + right
    if left.ndim == MATRIX and right.ndim == VECTOR and left.shape[2] == right.shape[1]:
        return left + right[:, None, :]
    if left.ndim == MATRIX and right.ndim == VECTOR and left.shape[1] == right.shape[1]:
        return left + right[:, :, None]
    if left.ndim == VECTOR and right.ndim == MATRIX:
        return add(right, left)
    raise EvaluationError(messages.SIZES_DO_NOT_FIT)


def multiply(left: FloatArray, right: FloatArray) -> FloatArray:
    """Product in order: scalars scale, matrices and vectors multiply as matrices."""
    if left.ndim == SCALAR:
        return lift(left, right.ndim) * right
    if right.ndim == SCALAR:
        return left * lift(right, left.ndim)
    if left.ndim == MATRIX and right.ndim == MATRIX and left.shape[2] == right.shape[1]:
        return left @ right
    if left.ndim == MATRIX and right.ndim == VECTOR:
        return _matrix_vector(left, right)
    if left.ndim == VECTOR and right.ndim == MATRIX:
        return _vector_matrix(left, right)
    raise EvaluationError(messages.SIZES_DO_NOT_FIT)


def _matrix_vector(matrix: FloatArray, vector: FloatArray) -> FloatArray:
    if matrix.shape[2] == vector.shape[1]:
        return (matrix @ vector[:, :, None])[:, :, 0]
    if matrix.shape[2] == 1:
        return matrix * vector[:, None, :]
    raise EvaluationError(messages.SIZES_DO_NOT_FIT)


def _vector_matrix(vector: FloatArray, matrix: FloatArray) -> FloatArray:
    if vector.shape[1] == matrix.shape[1]:
        return (vector[:, None, :] @ matrix)[:, 0, :]
    if matrix.shape[1] == 1:
        return vector[:, :, None] * matrix
    raise EvaluationError(messages.SIZES_DO_NOT_FIT)


def transpose(value: FloatArray) -> FloatArray:
    """Swap a matrix's axes; scalars and vectors are their own transposes."""
    return np.swapaxes(value, 1, 2) if value.ndim == MATRIX else value


def matrix_power(matrix: FloatArray, exponent: int) -> FloatArray:
    """Whole-number power of square matrices; singular draws become NaN instead of raising."""
    if matrix.ndim != MATRIX or matrix.shape[1] != matrix.shape[2]:
        raise EvaluationError(messages.SIZES_DO_NOT_FIT)
    if exponent < 0:
        matrix, exponent = inverse(matrix), -exponent
    result: FloatArray = np.linalg.matrix_power(matrix, exponent)
    return result


def inverse(matrix: FloatArray) -> FloatArray:
    """Inverse of each draw's matrix; a singular or non-finite draw becomes all NaN."""
    finite = np.asarray(np.isfinite(matrix).all(axis=(1, 2)), dtype=np.bool_)
    safe = np.where(finite[:, None, None], matrix, np.eye(matrix.shape[1]))
    try:
        result = np.asarray(np.linalg.inv(safe), dtype=np.float64)
    except np.linalg.LinAlgError:
        result = np.stack([_inverse_one(draw) for draw in safe]).astype(np.float64)
    result[~finite] = np.nan
    return result


def _inverse_one(matrix: FloatArray) -> FloatArray:
    try:
        inverted = np.asarray(np.linalg.inv(matrix), dtype=np.float64)
    except np.linalg.LinAlgError:
        return np.full_like(matrix, np.nan)
    return inverted
