"""Both shipped problem sets, end to end, driven by answer tables.

The tables hold what students type: answers_published.py (the published answers and the
mistakes the problem statements name), answers_expressions.py and answers_values.py (a class's
worth of spellings). Every row runs through the whole engine.
"""

import time

import pytest

from app.grading.result import FieldResult, Verdict
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.runner import InProcessRunner
from tests.bounds import NO_HANG_S
from tests.problemsets import answers_expressions, answers_published, answers_values

TABLES = (answers_published, answers_expressions, answers_values)
ACCEPTED = [row for table in TABLES for row in table.ACCEPTED]
MISTAKES = [row for table in TABLES for row in table.MISTAKES]
# A wrong answer may name a word its hint must contain; "" where any hint will do.
WRONG = [(*row, "")[:4] for table in TABLES for row in table.WRONG]
INVALID = answers_expressions.INVALID + answers_values.INVALID


@pytest.fixture(scope="module")
def runner() -> InProcessRunner:
    return InProcessRunner(ProblemCatalog())


def grade(runner: InProcessRunner, problem_set: str, field: str, answer: str) -> FieldResult:
    return runner.run(problem_set, field, None, answer)


def reference_shown(runner: InProcessRunner, problem_set: str, field: str) -> str:
    """The reference answer as the parsed display would show it."""
    compiled = runner.catalog.compiled(problem_set).fields[field]
    assert compiled.answer is not None
    first = next(answer for ps, fid, answer in ACCEPTED if (ps, fid) == (problem_set, field))
    return str(compiled.answer.latex(compiled.answer.parse(first)))


@pytest.mark.parametrize(("problem_set", "field", "answer"), ACCEPTED)
def test_accepted_answers_get_full_credit(
    runner: InProcessRunner, problem_set: str, field: str, answer: str
) -> None:
    result = grade(runner, problem_set, field, answer)
    assert result.verdict == Verdict.CORRECT, result.feedback
    assert result.score == result.max_score
    assert result.parsed


@pytest.mark.parametrize(("problem_set", "field", "answer", "named"), MISTAKES)
def test_known_mistakes_are_named(
    runner: InProcessRunner, problem_set: str, field: str, answer: str, named: str
) -> None:
    result = grade(runner, problem_set, field, answer)
    assert result.verdict in (Verdict.PARTIAL, Verdict.INCORRECT), result.feedback
    assert result.score < result.max_score
    assert named in result.feedback


@pytest.mark.parametrize(("problem_set", "field", "answer", "hint"), WRONG)
def test_wrong_answers_get_no_credit_and_no_answer(
    runner: InProcessRunner, problem_set: str, field: str, answer: str, hint: str
) -> None:
    result = grade(runner, problem_set, field, answer)
    assert result.verdict == Verdict.INCORRECT, result.feedback
    assert result.score == 0
    assert hint in result.feedback
    assert reference_shown(runner, problem_set, field) not in result.feedback


@pytest.mark.parametrize(("problem_set", "field", "answer", "message"), INVALID)
def test_unreadable_answers_are_invalid_with_a_reason(
    runner: InProcessRunner, problem_set: str, field: str, answer: str, message: str
) -> None:
    started = time.perf_counter()
    result = grade(runner, problem_set, field, answer)
    assert time.perf_counter() - started < NO_HANG_S
    assert result.verdict == Verdict.INVALID, result.feedback
    assert result.score == 0
    assert message in result.feedback


@pytest.mark.parametrize("field", ["q3.a", "q3.b", "q3.d", "q3.e"])
def test_hints_name_no_index_the_answer_does_not_have(runner: InProcessRunner, field: str) -> None:
    answer = r"\sum_{j=1}^{m} \frac{\partial f}{\partial y_j} \gamma^3"
    result = grade(runner, "dl-ex1", field, answer)
    assert result.verdict == Verdict.INCORRECT
    assert "for a batch of m = " in result.feedback
    assert "i = " not in result.feedback


def test_every_field_of_both_sets_is_covered() -> None:
    catalog = ProblemCatalog()
    accepted = {(ps, field) for ps, field, _ in ACCEPTED}
    refused = {(ps, field) for ps, field, *_ in INVALID}
    for problem_set in catalog.ids():
        for field_id, field in catalog.compiled(problem_set).fields.items():
            covered = refused if field.is_upload else accepted
            assert (problem_set, field_id) in covered, field_id
