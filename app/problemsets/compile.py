"""Turn a validated problem-set definition and a variant's parameters into gradable fields."""

from collections.abc import Mapping
from typing import Any

import sympy

from app.grading.answers.array import ArrayAnswer
from app.grading.answers.base import AnswerType
from app.grading.answers.choice import ChoiceAnswer
from app.grading.answers.edges import EdgeSetAnswer
from app.grading.answers.expression import ExpressionAnswer, MatrixExpressionAnswer
from app.grading.answers.number import NumberAnswer
from app.grading.answers.shape import ShapeAnswer
from app.grading.failures import ParseFailure
from app.grading.field import AnswerForm, GradableField, KnownMistake
from app.grading.mathparse.vocabulary import SymbolSpec, Vocabulary
from app.grading.result import Verdict
from app.grading.sampling.contexts import CONTEXTS, SamplingContext
from app.problemsets.compiled import CompiledProblemSet
from app.problemsets.outline import field_points
from app.problemsets.references import ReferenceCallError, run_call, substitute
from app.problemsets.schema import (
    ArraySpec,
    CheckpointSpec,
    ChoiceSpec,
    EdgesSpec,
    ExpressionSpec,
    FieldDef,
    NumberSpec,
    ProblemSetDef,
    Reference,
    ShapeSpec,
)
from app.problemsets.set_vocabulary import problem_set_vocabulary
from app.problemsets.variants import render

ContextCache = dict[tuple[str, str], SamplingContext]


class FieldCompileError(ValueError):
    """A field whose reference, context or mistakes cannot be built; names the field."""


def compile_problem_set(
    definition: ProblemSetDef,
    parameters: Mapping[str, Any],
    *,
    known: Mapping[str, GradableField] | None = None,
) -> CompiledProblemSet:
    """Build every field of one variant; those in `known` (by id) are taken as they are."""
    contexts: ContextCache = {}
    fields: dict[str, GradableField] = {}
    points = field_points(definition)
    for question in definition.questions:
        for field in question.fields:
            if known is not None and field.id in known:
                fields[field.id] = known[field.id]
                continue
            try:
                fields[field.id] = _compile_field(
                    field, points[field.id], definition, parameters, contexts
                )
            except (ReferenceCallError, KeyError, TypeError, ValueError) as exc:
                raise FieldCompileError(f"field {field.id}: {exc}") from exc
    return CompiledProblemSet(definition, dict(parameters), fields)


def _compile_field(
    field: FieldDef,
    max_score: float,
    definition: ProblemSetDef,
    parameters: Mapping[str, Any],
    contexts: ContextCache,
) -> GradableField:
    if isinstance(field.answer, CheckpointSpec) or field.reference is None:
        return GradableField(field.id, max_score, None)
    answer = _build_answer(field, definition, parameters, contexts)
    mistakes = tuple(
        KnownMistake(
            mistake.name,
            _expected(mistake.reference, answer, parameters),
            mistake.feedback,
            mistake.credit,
        )
        for mistake in field.mistakes
        if mistake.reference is not None
    )
    expected = _expected(field.reference, answer, parameters)
    return GradableField(field.id, max_score, answer, expected, mistakes, _forms(field))


def _forms(field: FieldDef) -> tuple[AnswerForm, ...]:
    accepted = [
        AnswerForm(form.parsed, Verdict.CORRECT, 1.0, form.feedback, form.note)
        for form in field.accepted
    ]
    named = [
        AnswerForm(mistake.parsed, Verdict.PARTIAL, mistake.credit, mistake.feedback, mistake.name)
        for mistake in field.mistakes
        if mistake.parsed is not None
    ]
    return (*accepted, *named)


def _expected(spec: Reference, answer: AnswerType[Any, Any], parameters: Mapping[str, Any]) -> Any:
    if isinstance(answer, ExpressionAnswer):
        return _expression_target(spec, answer)
    if spec.call is None:
        raise ReferenceCallError("this answer type needs a reference call")
    return run_call(spec, parameters)


def _expression_target(spec: Reference, answer: ExpressionAnswer) -> Any:
    if spec.quantity is not None:
        return answer.target(quantity=spec.quantity)
    if spec.expression is None:
        raise ReferenceCallError("an expression field needs a quantity or an expression")
    parsed = answer.parse(spec.expression)
    if isinstance(parsed, ParseFailure):
        raise ReferenceCallError(f"expression {spec.expression!r}: {parsed.describe()}")
    if not isinstance(parsed, sympy.Expr):
        raise ReferenceCallError(f"expression {spec.expression!r} is an equation")
    return answer.target(expression=parsed)


def _build_answer(
    field: FieldDef,
    definition: ProblemSetDef,
    parameters: Mapping[str, Any],
    contexts: ContextCache,
) -> AnswerType[Any, Any]:
    spec = field.answer
    match spec:
        case ShapeSpec():
            return ShapeAnswer(dims=spec.dims, names=spec.names, row_vector_ok=spec.row_vector_ok)
        case NumberSpec():
            # The set's symbols tell an expression (refuted, quoting the prompt) from a typo.
            vocabulary = problem_set_vocabulary(definition)
            prompt = render(field.prompt, parameters)
            return NumberAnswer(rtol=spec.rtol, atol=spec.atol, asks=prompt, vocabulary=vocabulary)
        case ArraySpec():
            ndim = 1 if spec.type == "vector" else 2
            return ArrayAnswer(ndim=ndim, rtol=spec.rtol, atol=spec.atol)
        case ChoiceSpec():
            return ChoiceAnswer(options=spec.options, labels=spec.labels)
        case EdgesSpec():
            return EdgeSetAnswer(nodes=spec.nodes)
        case ExpressionSpec():
            return _expression_answer(spec, field.reference, definition, parameters, contexts)
    raise ValueError(f"answer type {spec.type!r} has no text form")


def _expression_answer(
    spec: ExpressionSpec,
    reference: Reference | None,
    definition: ProblemSetDef,
    parameters: Mapping[str, Any],
    contexts: ContextCache,
) -> ExpressionAnswer:
    context = _context(spec, parameters, contexts)
    missing = set(spec.symbols) - set(context.symbols())
    if missing:
        raise ValueError(f"context {spec.context!r} gives no values for {sorted(missing)}")
    shaped = set(spec.scales) & set(context.shapes())
    if shaped:
        raise ValueError(f"scales {sorted(shaped)} are vectors or matrices, not numbers")
    vocabulary = _vocabulary(spec, definition, context)
    kind = MatrixExpressionAnswer if spec.type == "matrix_expression" else ExpressionAnswer
    quantity = None if reference is None else reference.quantity
    return kind(
        vocabulary=vocabulary,
        context=context,
        rtol=spec.rtol,
        atol=spec.atol,
        scales=frozenset(spec.scales),
        quantity=quantity,
    )


def _context(
    spec: ExpressionSpec, parameters: Mapping[str, Any], contexts: ContextCache
) -> SamplingContext:
    if spec.context not in CONTEXTS:
        raise ValueError(f"unknown sampling context {spec.context!r}")
    arguments = substitute(spec.context_params, parameters)
    key = (spec.context, repr(sorted(arguments.items())))
    if key not in contexts:
        contexts[key] = CONTEXTS[spec.context](**arguments)
    return contexts[key]


def _vocabulary(
    spec: ExpressionSpec, definition: ProblemSetDef, context: SamplingContext
) -> Vocabulary:
    shapes = context.shapes()
    symbols = tuple(
        SymbolSpec(
            name=name,
            latex=definition.symbols[name].latex,
            aliases=tuple(definition.symbols[name].aliases),
            indexed=definition.symbols[name].indexed,
            derivative_of=definition.symbols[name].derivative_of,
            shape=shapes.get(name),
        )
        for name in (*spec.symbols, *spec.scales)
    )
    return Vocabulary(
        symbols=symbols,
        free_indices=tuple(spec.free_indices),
        sum_upper=spec.sum_upper,
        functions=frozenset({"sqrt", *spec.functions}),
        targets=tuple(spec.targets),
    )
