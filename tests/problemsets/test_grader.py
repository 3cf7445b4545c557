"""Whole submissions: refused as a whole before anything is graded, or graded in field order."""

from collections.abc import Mapping

import pytest

from app.errors import (
    AnswerTooLong,
    DomainError,
    InvalidSubmission,
    TooManyAnswers,
    UnknownField,
    UnknownProblemSet,
)
from app.grading.result import FieldResult
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.grader import SubmissionGrader
from app.problemsets.runner import InProcessRunner


class CountingRunner(InProcessRunner):
    """Grades in process and remembers which fields it was asked to grade."""

    def __init__(self, catalog: ProblemCatalog) -> None:
        super().__init__(catalog)
        self.graded: list[str] = []

    def run(self, problem_set: str, field_id: str, student: str | None, raw: object) -> FieldResult:
        self.graded.append(field_id)
        return super().run(problem_set, field_id, student, raw)


@pytest.fixture(scope="module")
def catalog() -> ProblemCatalog:
    return ProblemCatalog()


def test_fields_come_back_in_problem_order_with_totals(catalog: ProblemCatalog) -> None:
    grader = SubmissionGrader(catalog, InProcessRunner(catalog))
    result = grader.grade("eecs182-hw5", {"q3.b": "39", "q1.b": "[2,-1,3]", "q3.a": "107"})
    assert [field.field for field in result.fields] == ["q1.b", "q3.a", "q3.b"]
    assert result.total == pytest.approx(sum(field.score for field in result.fields))
    assert result.total == pytest.approx(result.fields[0].max_score + result.fields[2].max_score)
    assert result.max_total == pytest.approx(100)


@pytest.mark.parametrize(
    ("problem_set", "answers", "error", "fields"),
    [
        ("dl-ex1", {"q1.a": "m x 10", "q9": "1", "Q1.A": "x"}, UnknownField, ["Q1.A", "q9"]),
        ("dl-ex1", {"q1.a": 10}, InvalidSubmission, ["q1.a"]),
        ("dl-ex1", {"q1.a": None}, InvalidSubmission, ["q1.a"]),
        ("dl-ex1", {"q1.a": "x" * 2001, "q1.d": "m x 3"}, AnswerTooLong, ["q1.a"]),
        ("dl-ex1", {f"q{k}": "1" for k in range(40)}, TooManyAnswers, []),
        ("nope", {}, UnknownProblemSet, []),
    ],
)
def test_bad_submissions_are_refused_before_anything_is_graded(
    catalog: ProblemCatalog,
    problem_set: str,
    answers: Mapping[str, object],
    error: type[DomainError],
    fields: list[str],
) -> None:
    runner = CountingRunner(catalog)
    with pytest.raises(error) as info:
        SubmissionGrader(catalog, runner).grade(problem_set, answers)
    assert runner.graded == []
    assert info.value.fields == fields
    body = info.value.to_dict()
    assert body["error"] == error.__name__ and body["detail"]


def test_the_unknown_field_message_lists_the_real_fields(catalog: ProblemCatalog) -> None:
    with pytest.raises(UnknownField) as info:
        SubmissionGrader(catalog, InProcessRunner(catalog)).grade("dl-ex1", {"q1": "x"})
    assert "q1.a" in info.value.detail and "q3.f" in info.value.detail


@pytest.mark.parametrize(
    ("field_id", "shown"),
    [
        ("q9.z", "q9.z"),
        ("\u202eq1.a", r"'\u202eq1.a'"),
        ("q1.a\n", r"'q1.a\n'"),
        ("z" * 10_000, "'" + "z" * 40 + "'..."),
    ],
)
def test_unknown_ids_are_quoted_safely_in_the_message(
    catalog: ProblemCatalog, field_id: str, shown: str
) -> None:
    with pytest.raises(UnknownField) as info:
        SubmissionGrader(catalog, InProcessRunner(catalog)).grade("dl-ex1", {field_id: "x"})
    assert info.value.detail.startswith(f"Unknown field ids: {shown}. ")
    assert info.value.fields == [field_id]
