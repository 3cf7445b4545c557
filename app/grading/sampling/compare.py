"""Expected values at the samples, and the verdict and hint for a student's sampled values."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy
from numpy.typing import NDArray

from app.grading.answers.base import Comparison
from app.grading.mathparse.vocabulary import Dim
from app.grading.messages import sampling as messages
from app.grading.sampling.batch import EvaluationError, FloatArray, SampleBatch
from app.grading.sampling.context import SamplingContext
from app.grading.sampling.evaluate import evaluate
from app.grading.sampling.render import plain
from app.grading.sampling.scan import IndexUse, index_use
from app.grading.sampling.shapes import ShapeFailure, infer_shape


@dataclass(frozen=True)
class SampledTarget:
    """An answer's values at every batch, computed once, and what it depends on."""

    values: tuple[FloatArray, ...]
    free_indices: frozenset[str] = frozenset()
    shape: tuple[Dim, ...] = ()


def sampled_target(
    context: SamplingContext, *, quantity: str | None = None, expression: sympy.Expr | None = None
) -> SampledTarget:
    """The target named by a reference quantity, or given as a trusted expression tree."""
    if quantity is not None and expression is None:
        return _quantity_target(context, quantity)
    if expression is not None and quantity is None:
        return _expression_target(context, expression)
    raise ValueError("give exactly one of quantity and expression")


def _quantity_target(context: SamplingContext, quantity: str) -> SampledTarget:
    if quantity not in context.quantity_names():
        known = sorted(context.quantity_names())
        raise ValueError(f"unknown quantity {quantity!r}; known: {known}")
    values = tuple(batch.quantities[quantity] for batch in context.batches())
    shape = tuple(context.quantity_shapes().get(quantity, ()))
    return SampledTarget(values, context.quantity_indices(quantity), shape)


def _expression_target(context: SamplingContext, expression: sympy.Expr) -> SampledTarget:
    shape = infer_shape(expression, context.shapes(), {})
    if isinstance(shape, ShapeFailure):
        raise ValueError(f"target expression {plain(expression, {})}: {shape.message}")
    try:
        values = tuple(evaluate(expression, batch) for batch in context.batches())
    except EvaluationError as error:
        raise ValueError(f"target expression {plain(expression, {})}: {error.message}") from error
    indices = frozenset() if context.free_index is None else frozenset({context.free_index})
    return SampledTarget(values, index_use(expression, indices).free, shape)


def judge(
    values: Sequence[FloatArray],
    target: SampledTarget,
    batches: Sequence[SampleBatch],
    use: IndexUse,
    *,
    rtol: float,
    atol: float,
) -> Comparison:
    """Match when every draw agrees within tolerance; otherwise say where it fails."""
    failures: list[_Failure] = []
    for mine, expected, batch in zip(values, target.values, batches, strict=True):
        if mine.shape != expected.shape:
            return Comparison(False, messages.wrong_shape(mine.shape[1:]))
        bad = np.flatnonzero(_disagrees(mine, expected, rtol=rtol, atol=atol))
        if bad.size:
            failures.append(_Failure(mine, batch, bad))
    if not failures:
        return Comparison(True)
    return Comparison(False, _hint(failures, target, use))


def _disagrees(
    mine: FloatArray, expected: FloatArray, *, rtol: float, atol: float
) -> NDArray[np.bool_]:
    draws = len(expected)
    close = np.abs(mine - expected) <= atol + rtol * np.abs(expected)
    # A draw where the reference itself is not finite says nothing about the answer.
    judged = np.isfinite(expected).reshape(draws, -1).all(axis=1)
    return np.asarray(~close.reshape(draws, -1).all(axis=1) & judged, dtype=np.bool_)


@dataclass(frozen=True, slots=True)
class _Failure:
    mine: FloatArray
    batch: SampleBatch
    draws: NDArray[np.intp]

    def undefined_draw(self) -> int | None:
        finite = np.isfinite(self.mine[self.draws]).reshape(len(self.draws), -1).all(axis=1)
        undefined = self.draws[~finite]
        return int(undefined[0]) if undefined.size else None


def _hint(failures: list[_Failure], target: SampledTarget, use: IndexUse) -> str:
    # Undefined values are the most specific finding, then the use of the free index.
    for failure in failures:
        draw = failure.undefined_draw()
        if draw is not None:
            return messages.undefined(_where(failure.batch, draw, target.free_indices))
    index_hint = _index_hint(target.free_indices, use)
    if index_hint is not None:
        return index_hint
    first = failures[0]
    return messages.differs(_where(first.batch, int(first.draws[0]), target.free_indices))


def _index_hint(expected: frozenset[str], use: IndexUse) -> str | None:
    for index in sorted(expected):
        if index in use.summed:
            return messages.summed_free_index(index)
        if index not in use.free:
            return messages.missing_free_index(index)
    extra = sorted(use.free - expected)
    return messages.extra_free_index(extra[0]) if extra else None


def _where(batch: SampleBatch, draw: int, free: frozenset[str]) -> str:
    # An index the answer does not depend on would only make the student look for it.
    point = batch.point(draw)
    shown = {name: value for name, value in point.items() if name in free}
    if batch.size_symbol in point:
        shown = {batch.size_symbol: point[batch.size_symbol], **shown}
    return messages.where(shown, size_symbol=batch.size_symbol)
