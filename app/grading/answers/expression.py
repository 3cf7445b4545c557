"""Symbolic answers graded by evaluating them at many consistent random sample points."""

from dataclasses import replace
from typing import ClassVar, TypeAlias

import sympy

from app.grading.answers._derivation import asked_variable, read_worked
from app.grading.answers._relation import (
    ASKED,
    Relation,
    asked_symbol,
    is_zero,
    judge_relation,
    read_relation,
)
from app.grading.answers.base import Comparison
from app.grading.failures import ParseFailure
from app.grading.mathparse import expression_latex, parse_expression
from app.grading.mathparse.vocabulary import Dim, SymbolSpec, Vocabulary
from app.grading.messages import answers as answer_messages
from app.grading.messages import sampling as messages
from app.grading.sampling.batch import EvaluationError, FloatArray
from app.grading.sampling.compare import SampledTarget, judge, sampled_target
from app.grading.sampling.context import SamplingContext
from app.grading.sampling.evaluate import evaluate
from app.grading.sampling.scale import is_positive, mentions, split_scale
from app.grading.sampling.scan import index_use, unbound_indices
from app.grading.sampling.shapes import ShapeFailure, infer_shape

Sampled = tuple[FloatArray, ...] | EvaluationError
Value: TypeAlias = sympy.Expr | Relation


class ExpressionAnswer:
    """A scalar expression (batch-norm gradients, noise factors) over a sampling context."""

    SHAPED: ClassVar[bool] = False
    """Whether values have shapes, so that the asked quantity's must be known to name it."""

    def __init__(
        self,
        *,
        vocabulary: Vocabulary,
        context: SamplingContext,
        rtol: float = 1e-6,
        atol: float = 1e-9,
        scales: frozenset[str] = frozenset(),
        quantity: str | None = None,
    ) -> None:
        self._vocabulary = vocabulary
        self._context = context
        self._scales = scales
        # With the asked quantity as a symbol, an equation may state it in another form.
        asked = self._asked_symbol(quantity)
        self._with_asked = None if asked is None else _with_symbol(vocabulary, asked)
        self._rtol, self._atol = rtol, atol
        self._targets: dict[object, SampledTarget] = {}
        # compare() meets the same answer once for the reference and once per known mistake.
        self._last: tuple[sympy.Expr, Sampled] | None = None
        self._asked = asked_variable(vocabulary.targets)

    def parse(self, raw: str) -> Value | ParseFailure:
        """Parse the student's text against the field's vocabulary; then as worked steps."""
        value = self._parse(raw)
        # Any `=` may be working: the lexer refuses `;` between statements before `=` is seen.
        if not isinstance(value, ParseFailure) or "=" not in raw:
            return value
        worked = read_worked(raw, self._parse, self._agrees, self._asked)
        if worked is not None:
            return worked
        relation = None if self._with_asked is None else read_relation(raw, self._parse_with_asked)
        return value if relation is None else relation

    def _asked_symbol(self, quantity: str | None) -> SymbolSpec | None:
        """The quantity asked for (the reference's, when it names one) as a symbol."""
        if quantity is None and self.SHAPED:
            return None  # a shaped target given as an expression: its shape is not known here
        shape = None if quantity is None else self._context.quantity_shapes().get(quantity)
        others = self._context.quantity_names() - {quantity}
        return asked_symbol(self._vocabulary.targets, shape=shape, others=others)

    def _parse_with_asked(self, raw: str) -> sympy.Expr | ParseFailure:
        assert self._with_asked is not None
        return parse_expression(raw, self._with_asked)

    def _parse(self, raw: str) -> sympy.Expr | ParseFailure:
        return parse_expression(raw, self._vocabulary)

    def _agrees(self, step: sympy.Expr, final: sympy.Expr) -> bool:
        # Not cached in target(): the final step is the student's, new with every answer.
        try:
            target = sampled_target(self._context, expression=final)
        except ValueError:
            return True  # the final step cannot be sampled; grading it says why
        return self.compare(step, target).matches

    def latex(self, value: Value) -> str:
        """Show how the answer was understood."""
        if isinstance(value, Relation):
            assert self._with_asked is not None
            sides = (expression_latex(side, self._with_asked) for side in (value.left, value.right))
            return " = ".join(sides)
        return expression_latex(value, self._vocabulary)

    def target(
        self, *, quantity: str | None = None, expression: sympy.Expr | None = None
    ) -> SampledTarget:
        """Expected values of a reference quantity or a trusted expression, computed once."""
        key = (quantity, expression)
        if key not in self._targets:
            self._targets[key] = sampled_target(
                self._context, quantity=quantity, expression=expression
            )
        return self._targets[key]

    def compare(self, value: Value, expected: SampledTarget) -> Comparison:
        """Equivalent when the values agree at every sample point, up to a declared scale."""
        if isinstance(value, Relation):
            return self._compare_relation(value, expected)
        if not self._scales or not mentions(value, self._scales):
            return self._compare(value, expected)
        split = split_scale(value, self._scales)
        if split is None:
            return Comparison(False, messages.scale_only(self._scale_latex()))
        scale, rest = split
        if not is_positive(scale, self._scales):
            return Comparison(False, messages.SCALE_NOT_POSITIVE)
        return self._compare(rest, expected)

    def _compare_relation(self, relation: Relation, expected: SampledTarget) -> Comparison:
        """An equation that states the asked quantity: it must hold there, and only there."""
        batches = self._context.batches()
        return judge_relation(relation, expected, batches, rtol=self._rtol, atol=self._atol)

    def _scale_latex(self) -> str:
        names = self.display_names()
        return ", ".join(names.get(name, name) for name in sorted(self._scales))

    def _compare(self, value: sympy.Expr, expected: SampledTarget) -> Comparison:
        """Equivalent when the values agree at every sample point."""
        loose = unbound_indices(value, frozenset(self._vocabulary.free_indices))
        if loose:
            return Comparison(False, self._unbound_hint(min(loose), value))
        sampled = self._sampled(value)
        if isinstance(sampled, EvaluationError):
            return Comparison(False, sampled.message)
        free = self._context.free_index
        use = index_use(value, frozenset() if free is None else frozenset({free}))
        batches = self._context.batches()
        return judge(sampled, expected, batches, use, rtol=self._rtol, atol=self._atol)

    def _unbound_hint(self, index: str, value: sympy.Expr) -> str:
        """A letter no sum binds: a missing sum, or a stand-in for the question's free index."""
        free = self._vocabulary.free_indices
        if not free or index_use(value, frozenset(free)).free:
            return messages.missing_sum(index)
        return messages.not_the_free_index(index, free[0])

    def _sampled(self, value: sympy.Expr) -> Sampled:
        last = self._last
        if last is not None and last[0] is value:
            return last[1]
        try:
            sampled: Sampled = tuple(evaluate(value, batch) for batch in self._context.batches())
        except EvaluationError as error:
            sampled = error
        self._last = (value, sampled)
        return sampled

    @property
    def context(self) -> SamplingContext:
        """The context whose samples this answer is evaluated at."""
        return self._context

    def display_names(self) -> dict[str, str]:
        """Each symbol's LaTeX spelling, used to name the student's terms in feedback."""
        vocabulary = self._with_asked or self._vocabulary
        return {spec.name: spec.latex for spec in vocabulary.symbols}

    def shapes(self) -> dict[str, tuple[Dim, ...]]:
        """Symbolic shapes of the symbols, the asked quantity's among them when it has one."""
        shapes = dict(self._context.shapes())
        asked = None if self._with_asked is None else self._with_asked.by_name()[ASKED].shape
        return shapes if asked is None else shapes | {ASKED: asked}


class MatrixExpressionAnswer(ExpressionAnswer):
    """A vector or matrix expression: its shape is checked before its values."""

    SHAPED = True

    def _compare(self, value: sympy.Expr, expected: SampledTarget) -> Comparison:
        """Conforming shapes first, then the target's shape, then values at every sample."""
        shape = infer_shape(value, self.shapes(), self.display_names())
        if isinstance(shape, ShapeFailure):
            return Comparison(False, shape.message)
        if shape != expected.shape:
            if shape[::-1] == expected.shape:
                return Comparison(False, messages.orientation(shape))
            return Comparison(False, messages.wrong_shape(shape))
        return super()._compare(value, expected)

    def _compare_relation(self, relation: Relation, expected: SampledTarget) -> Comparison:
        """Both sides conform and have one shape (or one is 0), then as a scalar equation."""
        shapes = [
            infer_shape(side, self.shapes(), self.display_names())
            for side in (relation.left, relation.right)
        ]
        for shape in shapes:
            if isinstance(shape, ShapeFailure):
                return Comparison(False, shape.message)
        if shapes[0] != shapes[1] and not is_zero(relation):
            return Comparison(False, answer_messages.SIDES_SHAPES_DIFFER)
        return super()._compare_relation(relation, expected)


def _with_symbol(vocabulary: Vocabulary, symbol: SymbolSpec) -> Vocabulary:
    return replace(vocabulary, symbols=(*vocabulary.symbols, symbol))
