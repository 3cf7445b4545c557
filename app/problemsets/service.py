"""Public views of problem sets, and previews of answers; nothing here reveals an answer."""

from collections.abc import Mapping
from typing import Any

from app.db.models import Role, User
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.compiled import CompiledProblemSet
from app.problemsets.grader import check_answers
from app.problemsets.runner import FieldRunner
from app.problemsets.schema import (
    AnswerSpec,
    CheckpointSpec,
    ChoiceSpec,
    EdgesSpec,
    ExpressionSpec,
    ProblemSetDef,
    Question,
)
from app.problemsets.schemas import (
    AnswerForm,
    ChoiceForm,
    EdgesForm,
    ExpressionForm,
    FieldPublic,
    PolicyPublic,
    PreviewPublic,
    ProblemSetPublic,
    ProblemSetSummary,
    QuestionPublic,
    SymbolPublic,
    TextForm,
    UploadForm,
)
from app.problemsets.variants import render


def variant_of(user: User) -> str | None:
    """Whose numbers the user works with: a student their own, an instructor the published."""
    return None if user.role == Role.INSTRUCTOR.value else user.id


def list_problem_sets(catalog: ProblemCatalog) -> list[ProblemSetSummary]:
    """Every problem set, by id."""
    return [_summary(catalog.compiled(problem_set)) for problem_set in catalog.ids()]


def problem_set_view(catalog: ProblemCatalog, problem_set: str, user: User) -> ProblemSetPublic:
    """The statements and forms of a problem set, with the user's variant of the numbers."""
    compiled = catalog.compiled(problem_set, variant_of(user))
    questions = [_question(question, compiled) for question in compiled.definition.questions]
    return ProblemSetPublic(**_base(compiled), questions=questions)


def preview(
    catalog: ProblemCatalog,
    runner: FieldRunner,
    problem_set: str,
    answers: Mapping[str, str],
    user: User,
) -> PreviewPublic:
    """How each answer reads, parsed in the sandbox; grades nothing and records nothing."""
    student = variant_of(user)
    compiled = catalog.compiled(problem_set, student)
    check_answers(compiled, answers)
    fields = [
        runner.preview(problem_set, field_id, student, answers[field_id])
        for field_id in compiled.fields
        if field_id in answers
    ]
    return PreviewPublic(problem_set=problem_set, fields=fields)


def _base(compiled: CompiledProblemSet) -> dict[str, Any]:
    definition = compiled.definition
    return {
        "id": definition.id,
        "title": definition.title,
        "summary": definition.summary,
        "points": compiled.max_total,
        "policy": PolicyPublic.model_validate(definition.policy.model_dump()),
    }


def _summary(compiled: CompiledProblemSet) -> ProblemSetSummary:
    return ProblemSetSummary(**_base(compiled), field_count=len(compiled.fields))


def _question(question: Question, compiled: CompiledProblemSet) -> QuestionPublic:
    parameters = compiled.parameters
    fields = [
        FieldPublic(
            id=field.id,
            prompt=render(field.prompt, parameters),
            points=compiled.fields[field.id].max_score,
            answer=_form(field.answer, compiled.definition),
        )
        for field in question.fields
    ]
    return QuestionPublic(
        id=question.id,
        title=question.title,
        points=question.points,
        prompt=render(question.prompt, parameters),
        fields=fields,
    )


def _form(spec: AnswerSpec, definition: ProblemSetDef) -> AnswerForm:
    # Choice labels stay out: a label such as "batch norm" -> A would give the answer away.
    match spec:
        case ChoiceSpec():
            return ChoiceForm(type=spec.type, options=spec.options)
        case ExpressionSpec():
            # A declared scale is a symbol the answer may use too (in front of the whole of it).
            names = [*spec.symbols, *spec.scales]
            symbols = [SymbolPublic(latex=definition.symbols[name].latex) for name in names]
            return ExpressionForm(type=spec.type, symbols=symbols, functions=spec.functions)
        case EdgesSpec():
            return EdgesForm(type=spec.type, nodes=list(spec.nodes))
        case CheckpointSpec():
            return UploadForm(type=spec.type, dataset=spec.dataset)
    return TextForm(type=spec.type)
