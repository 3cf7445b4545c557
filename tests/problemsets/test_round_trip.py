"""The parsed display of every expression row reads back as the same expression."""

import numpy as np
import pytest
import sympy

from app.grading.answers._relation import Relation
from app.grading.answers.expression import ExpressionAnswer
from app.grading.engine import read
from app.grading.failures import ParseFailure, Refuted
from app.grading.normalize import normalize
from app.grading.sampling.batch import EvaluationError, FloatArray
from app.grading.sampling.evaluate import evaluate
from app.problemsets.catalog import ProblemCatalog
from tests.problemsets import answers_expressions, answers_published, answers_values

TABLES = (answers_published, answers_expressions, answers_values)
CATALOG = ProblemCatalog()


def _shown(problem_set: str, field: str, answer: str) -> bool:
    """Whether grading shows how the answer reads: an expression field's answer, not refuted
    on its face (working that breaks has no reading to show)."""
    compiled = CATALOG.compiled(problem_set).fields[field].answer
    if not isinstance(compiled, ExpressionAnswer):
        return False
    return not isinstance(read(compiled, answer, normalize(answer)), Refuted)


ROWS = [
    row[:3]
    for table in TABLES
    for rows in (table.ACCEPTED, table.MISTAKES, table.WRONG)
    for row in rows
    if _shown(*row[:3])
]


def sampled(answer: ExpressionAnswer, value: sympy.Expr) -> list[FloatArray] | str:
    """Values at the field's samples, or the evaluator's message where there are none."""
    try:
        return [evaluate(value, batch) for batch in answer.context.batches()]
    except EvaluationError as error:
        return error.message


def same_values(first: list[FloatArray] | str, second: list[FloatArray] | str) -> bool:
    if isinstance(first, str) or isinstance(second, str):
        return first == second
    # x^{-1000} and 1/x^{1000} underflow differently; anything past 1e-300 is zero to both.
    return all(
        a.shape == b.shape and np.allclose(a, b, rtol=1e-9, atol=1e-300, equal_nan=True)
        for a, b in zip(first, second, strict=True)
    )


@pytest.mark.parametrize(("problem_set", "field", "answer"), ROWS)
def test_the_parsed_display_reads_back_as_the_answer(
    problem_set: str, field: str, answer: str
) -> None:
    compiled = CATALOG.compiled(problem_set).fields[field].answer
    assert isinstance(compiled, ExpressionAnswer)
    # As grading reads it: the whole text, else the answer found in the words around it.
    value = read(compiled, answer, normalize(answer))
    assert not isinstance(value, ParseFailure), value.message
    shown = compiled.latex(value)
    again = compiled.parse(shown)
    assert not isinstance(again, ParseFailure), (shown, again.message)
    if isinstance(value, Relation):
        # An equation's sides hold the asked quantity, which has no samples: the same sides.
        assert isinstance(again, Relation), shown
        assert all(
            sympy.simplify(first - second) == 0
            for first, second in ((value.left, again.left), (value.right, again.right))
        ), shown
        return
    assert again == value or same_values(sampled(compiled, value), sampled(compiled, again)), shown
