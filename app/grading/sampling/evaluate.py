"""Evaluate a parsed SymPy tree at a batch of sample points, node by node, with numpy.

No lambdify and no subs/doit: the tree is walked directly, so nothing is compiled or executed
from student text, and the cost is a few numpy operations per node over all k draws at once.
"""

import numpy as np
import sympy

from app.grading.limits import MAX_EXPONENT
from app.grading.mathparse.functions import ReLU, Transpose
from app.grading.messages import sampling as messages
from app.grading.sampling import arrays
from app.grading.sampling.batch import EvaluationError, FloatArray, SampleBatch
from app.grading.sampling.indices import Index, Scope, lookup, spend, step, whole

MAX_DEPTH = 200
"""Deepest tree the evaluator walks; far beyond what the parser's nesting limit lets through."""

_ELEMENTWISE = {sympy.exp: np.exp, sympy.log: np.log, sympy.Abs: np.abs}


def evaluate(expr: sympy.Expr, batch: SampleBatch) -> FloatArray:
    """Values of `expr` at every draw of `batch`; overflow and 0/0 give inf/NaN silently."""
    scope = Scope(batch, dict(batch.indices))
    with np.errstate(all="ignore"):
        try:
            return _eval(expr, scope, 0)
        except RecursionError:
            raise EvaluationError(messages.TOO_DEEP) from None


def _eval(expr: sympy.Basic, scope: Scope, depth: int) -> FloatArray:
    if depth > MAX_DEPTH:
        raise EvaluationError(messages.TOO_DEEP)
    depth += 1
    step(scope)
    if expr.is_Symbol:
        return _symbol(expr, scope)
    if isinstance(expr, sympy.Indexed):
        return _indexed(expr, scope, depth)
    if expr.is_Mul:
        return _fold(arrays.multiply, expr.args, scope, depth)
    if expr.is_Add:
        return _fold(arrays.add, expr.args, scope, depth)
    if expr.is_Pow:
        return _power(expr, scope, depth)
    if isinstance(expr, sympy.Sum):
        return _sum(expr.function, list(expr.limits), scope, depth)
    if isinstance(expr, sympy.KroneckerDelta):
        return _kronecker(expr, scope, depth)
    if isinstance(expr, sympy.Function) and len(expr.args) == 1:
        return _function(expr, _eval(expr.args[0], scope, depth))
    if expr.is_Atom and expr.is_number:
        return np.full(scope.batch.draws, _number(expr))
    raise EvaluationError(messages.unsupported(type(expr).__name__))


def _number(expr: sympy.Basic) -> float:
    try:
        return float(expr)
    except OverflowError:
        return float("inf") if expr.is_positive else float("-inf")
    except (TypeError, ValueError):
        return float("nan")


def _symbol(expr: sympy.Symbol, scope: Scope) -> FloatArray:
    name = expr.name
    bound = scope.bindings.get(name)
    if bound is not None:
        return np.broadcast_to(np.asarray(bound, dtype=np.float64), (scope.batch.draws,))
    if name in scope.batch.indexed:
        raise EvaluationError(messages.needs_index(name))
    value = scope.batch.values.get(name)
    if value is None:
        raise EvaluationError(messages.unknown_symbol(name))
    return value


def _indexed(expr: sympy.Indexed, scope: Scope, depth: int) -> FloatArray:
    name = str(expr.base.label)
    if len(expr.indices) != 1:
        raise EvaluationError(messages.ONE_INDEX)
    if name not in scope.batch.indexed:
        known = name in scope.batch.values
        raise EvaluationError(
            messages.takes_no_index(name) if known else messages.unknown_symbol(name)
        )
    return lookup(name, _index(expr.indices[0], scope, depth), scope)


def _index(expr: sympy.Basic, scope: Scope, depth: int) -> Index:
    if expr.is_Symbol:
        bound = scope.bindings.get(expr.name)
        if bound is not None:
            return bound
        if expr.name not in scope.batch.values:
            raise EvaluationError(messages.unbound_index(expr.name))
    return whole(_eval(expr, scope, depth))


def _kronecker(expr: sympy.KroneckerDelta, scope: Scope, depth: int) -> FloatArray:
    first, second = (_index(argument, scope, depth) for argument in expr.args[:2])
    agree = np.asarray(np.equal(first, second), dtype=np.float64)
    return np.broadcast_to(agree, (scope.batch.draws,)).copy()


def _fold(
    operation: arrays.BinaryOp, args: tuple[sympy.Basic, ...], scope: Scope, depth: int
) -> FloatArray:
    result = _eval(args[0], scope, depth)
    for arg in args[1:]:
        result = operation(result, _eval(arg, scope, depth))
    return result


def _power(expr: sympy.Pow, scope: Scope, depth: int) -> FloatArray:
    base = _eval(expr.base, scope, depth)
    exponent = expr.exp
    if base.ndim != arrays.SCALAR:
        if not exponent.is_Integer or abs(int(exponent)) > MAX_EXPONENT:
            raise EvaluationError(messages.MATRIX_POWER)
        return arrays.matrix_power(base, int(exponent))
    if exponent == sympy.S.Half:
        return np.sqrt(base)
    if exponent == sympy.S.NegativeOne:
        return 1.0 / base
    power = _eval(exponent, scope, depth)
    if power.ndim != arrays.SCALAR:
        raise EvaluationError(messages.EXPONENT_NOT_SCALAR)
    return np.power(base, power)


def _function(expr: sympy.Function, argument: FloatArray) -> FloatArray:
    if isinstance(expr, ReLU):
        return np.maximum(argument, 0.0)
    if isinstance(expr, Transpose):
        return arrays.transpose(argument)
    elementwise = _ELEMENTWISE.get(expr.func)
    if elementwise is None:
        raise EvaluationError(messages.unsupported(type(expr).__name__))
    if argument.ndim != arrays.SCALAR:
        raise EvaluationError(messages.scalar_function(type(expr).__name__))
    result: FloatArray = elementwise(argument)
    return result


def _sum(
    body: sympy.Basic, limits: list[tuple[sympy.Basic, ...]], scope: Scope, depth: int
) -> FloatArray:
    if not limits:
        return _eval(body, scope, depth)
    # SymPy lists the innermost limit first, so the last one is the outermost loop.
    variable, lower, upper = limits[-1]
    low, high = _index(lower, scope, depth), _index(upper, scope, depth)
    if isinstance(low, int) and isinstance(high, int):
        return _sum_range(body, limits[:-1], str(variable), range(low, high + 1), scope, depth)
    return _sum_masked(body, limits[:-1], str(variable), (low, high), scope, depth)


def _sum_range(
    body: sympy.Basic,
    inner: list[tuple[sympy.Basic, ...]],
    name: str,
    span: range,
    scope: Scope,
    depth: int,
) -> FloatArray:
    spend(scope, len(span))
    total: FloatArray | None = None
    with scope.bound(name) as bind:
        for value in span:
            bind(value, None)
            term = _sum(body, inner, scope, depth)
            total = term if total is None else arrays.add(total, term)
    return np.zeros(scope.batch.draws) if total is None else total


def _sum_masked(
    body: sympy.Basic,
    inner: list[tuple[sympy.Basic, ...]],
    name: str,
    bounds: tuple[Index, Index],
    scope: Scope,
    depth: int,
) -> FloatArray:
    # Limits that differ between draws (they depend on a free index): loop over the widest
    # range and let each draw count only its own terms.
    draws = scope.batch.draws
    low, high = (np.broadcast_to(np.asarray(bound), (draws,)) for bound in bounds)
    span = range(int(low.min()), int(high.max()) + 1)
    spend(scope, len(span))
    total: FloatArray | None = None
    with scope.bound(name) as bind:
        for value in span:
            own = (low <= value) & (value <= high)
            bind(value, own)
            term = _sum(body, inner, scope, depth)
            term = np.where(arrays.lift(own, term.ndim), term, 0.0)
            total = term if total is None else arrays.add(total, term)
    return np.zeros(draws) if total is None else total
