"""A positive scale written as a symbol: `\\sqrt{\\lambda} X \\Gamma^{-1}` is X Gamma^{-1} scaled.

A field declares which scalar symbols may scale its whole answer. The scale is split off the
product by structure, never guessed from values, and must be positive wherever its symbols are.
"""

import numpy as np
import sympy

from app.grading.sampling.batch import EvaluationError, SampleBatch
from app.grading.sampling.evaluate import evaluate

# Scale symbols are positive weights (a ridge weight λ); these points span twelve decades.
_POSITIVE_POINTS = np.geomspace(1e-6, 1e6, 25)


def mentions(expr: sympy.Basic, scales: frozenset[str]) -> bool:
    """Whether any scale symbol occurs in the expression."""
    return any(symbol.name in scales for symbol in expr.free_symbols if symbol.is_Symbol)


def split_scale(expr: sympy.Basic, scales: frozenset[str]) -> tuple[sympy.Expr, sympy.Expr] | None:
    """(scale, rest) when the expression is a product of scalars in scale symbols and a rest.

    None when a scale symbol occurs anywhere but in such a factor, or nothing is left.
    """
    factors = _factors(expr)
    scale = [factor for factor in factors if _is_scale(factor, scales)]
    rest = [factor for factor in factors if not _is_scale(factor, scales)]
    if not any(mentions(factor, scales) for factor in scale) or not rest:
        return None
    if any(mentions(factor, scales) for factor in rest):
        return None
    combined = rest[0] if len(rest) == 1 else sympy.Mul(*rest, evaluate=False)
    return sympy.Mul(*scale, evaluate=False), combined


def is_positive(scale: sympy.Expr, scales: frozenset[str]) -> bool:
    """Whether the scale is finite and positive at positive values of every scale symbol."""
    count = len(_POSITIVE_POINTS)
    # Each symbol runs through the points in its own order, so two symbols do not move together.
    values = {name: np.roll(_POSITIVE_POINTS, 7 * k) for k, name in enumerate(sorted(scales))}
    try:
        sampled = evaluate(scale, SampleBatch(size=count, values=values))
    except EvaluationError:
        return False
    return sampled.shape == (count,) and bool(np.all(np.isfinite(sampled) & (sampled > 0)))


def _factors(expr: sympy.Basic) -> list[sympy.Basic]:
    """The factors of a product, nested products flattened, in their written order."""
    if not expr.is_Mul:
        return [expr]
    return [factor for arg in expr.args for factor in _factors(arg)]


def _is_scale(factor: sympy.Basic, scales: frozenset[str]) -> bool:
    """A scalar factor built from scale symbols and numbers only."""
    if factor.is_commutative is False:
        return False
    names = {symbol.name for symbol in factor.free_symbols if symbol.is_Symbol}
    has_indexed = bool(factor.atoms(sympy.Indexed))
    return not has_indexed and names <= scales
