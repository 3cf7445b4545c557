"""Symbolic shapes of matrix expressions, checked before any number is computed.

Dimensions are ints or names ("m"); two dimensions agree only when they are equal. The rules
are those of app/grading/sampling/arrays.py, and failures name the student's own terms.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy

from app.grading.mathparse.functions import ReLU, Transpose
from app.grading.mathparse.vocabulary import Dim
from app.grading.messages import sampling as messages
from app.grading.sampling.render import plain

Shape = tuple[Dim, ...]
SCALAR: Shape = ()


@dataclass(frozen=True, slots=True)
class ShapeFailure:
    """Why the parts of an expression do not fit together, written for the student."""

    message: str


class _Mismatch(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class _Rules:
    shapes: Mapping[str, Shape]
    names: Mapping[str, str]

    def show(self, expr: sympy.Basic) -> str:
        return plain(expr, self.names)


def infer_shape(
    expr: sympy.Basic, shapes: Mapping[str, Shape], latex_names: Mapping[str, str]
) -> Shape | ShapeFailure:
    """Shape of `expr`: () for a number, (n,) for a vector, (r, c) for a matrix."""
    try:
        return _shape(expr, _Rules(shapes, latex_names))
    except _Mismatch as mismatch:
        return ShapeFailure(mismatch.message)
    except RecursionError:
        return ShapeFailure(messages.TOO_DEEP)


def _shape(expr: sympy.Basic, rules: _Rules) -> Shape:
    if expr.is_Symbol:
        return rules.shapes.get(expr.name, SCALAR)
    if expr.is_Add:
        return _fold_add(expr.args, rules)
    if expr.is_Mul:
        return _fold_mul(expr.args, rules)
    if expr.is_Pow:
        return _power(expr, rules)
    if isinstance(expr, Transpose):
        inner = _shape(expr.args[0], rules)
        return inner[::-1] if len(inner) == 2 else inner
    if isinstance(expr, ReLU):
        return _shape(expr.args[0], rules)
    if isinstance(expr, sympy.Sum):
        return _shape(expr.function, rules)
    if isinstance(expr, sympy.Function):
        return _scalar_function(expr, rules)
    return SCALAR


_Combine = Callable[[Shape, Shape], Shape | None]
_Refusal = Callable[[str, Shape, str, Shape], str]


def _fold_add(terms: tuple[sympy.Basic, ...], rules: _Rules) -> Shape:
    return _fold(terms, rules, sympy.Add, add_shapes, messages.cannot_add)


def _fold_mul(factors: tuple[sympy.Basic, ...], rules: _Rules) -> Shape:
    return _fold(factors, rules, sympy.Mul, multiply_shapes, messages.does_not_conform)


def _fold(
    operands: tuple[sympy.Basic, ...],
    rules: _Rules,
    operation: type[sympy.Add] | type[sympy.Mul],
    combine: _Combine,
    refusal: _Refusal,
) -> Shape:
    """The shape of operands joined left to right; the first that does not fit is named."""
    shape = _shape(operands[0], rules)
    for index, operand in enumerate(operands[1:], start=1):
        other = _shape(operand, rules)
        result = combine(shape, other)
        if result is None:
            left = operation(*operands[:index], evaluate=False) if index > 1 else operands[0]
            raise _Mismatch(refusal(rules.show(left), shape, rules.show(operand), other))
        shape = result
    return shape


def add_shapes(left: Shape, right: Shape) -> Shape | None:
    """Shape of a sum, or None; a vector adds to each row of a matrix with as many columns.

    A vector that matches only the number of rows adds to each column instead, so that a whole
    expression written transposed (`W^T X^T + b`) broadcasts its bias the transposed way.
    """
    if left == right:
        return left
    if len(left) == 1 and len(right) == 2:
        left, right = right, left
    if len(left) == 2 and len(right) == 1 and right[0] in left:
        return left
    return None


def multiply_shapes(left: Shape, right: Shape) -> Shape | None:
    """Shape of an ordered product, or None when it does not conform."""
    if not left or not right:
        return left or right
    if len(left) == 2 and len(right) == 2:
        return (left[0], right[1]) if left[1] == right[0] else None
    if len(left) == 2 and len(right) == 1:
        if left[1] == right[0]:
            return (left[0],)
        return (left[0], right[0]) if left[1] == 1 else None
    if len(left) == 1 and len(right) == 2:
        if left[0] == right[0]:
            return (right[1],)
        return (left[0], right[1]) if right[0] == 1 else None
    return None


def _power(expr: sympy.Pow, rules: _Rules) -> Shape:
    base = _shape(expr.base, rules)
    if _shape(expr.exp, rules) != SCALAR:
        raise _Mismatch(messages.EXPONENT_NOT_SCALAR)
    if base == SCALAR:
        return SCALAR
    if len(base) == 1:
        raise _Mismatch(messages.vector_power(rules.show(expr.base)))
    if not expr.exp.is_Integer:
        raise _Mismatch(messages.MATRIX_POWER)
    if base[0] != base[1]:
        raise _Mismatch(messages.not_square(rules.show(expr.base), base))
    return base


def _scalar_function(expr: sympy.Function, rules: _Rules) -> Shape:
    for argument in expr.args:
        if _shape(argument, rules) != SCALAR:
            raise _Mismatch(messages.scalar_function(type(expr).__name__))
    return SCALAR
