"""Answers inside sentences: one readable candidate is read, two are refused, hostile text is
refused fast, and a plain answer never reaches the extraction."""

import time
from typing import Any

import pytest

from app.grading import extract as extract_module
from app.grading.answers.base import AnswerType
from app.grading.engine import read
from app.grading.failures import ParseFailure, Refuted
from app.grading.messages import engine as messages
from app.grading.normalize import normalize
from app.problemsets.catalog import ProblemCatalog
from tests.bounds import NO_HANG_S

CATALOG = ProblemCatalog()


def answer_of(problem_set: str, field: str) -> AnswerType[Any, Any]:
    answer = CATALOG.compiled(problem_set).fields[field].answer
    assert answer is not None
    return answer


def read_text(problem_set: str, field: str, raw: str) -> Any:
    text = normalize(raw)
    assert isinstance(text, str)
    return read(answer_of(problem_set, field), raw, text)


@pytest.mark.parametrize(
    ("problem_set", "field", "raw", "shown"),
    [
        ("dl-ex1", "q1.a", "m x 10 where m is the batch size", r"m \times 10"),
        ("dl-ex1", "q1.a", "m x 10, where m is the batch size.", r"m \times 10"),
        ("dl-ex1", "q1.a", r"The shape is $m \times 10$, where $m$ is the batch size.", "m"),
        ("dl-ex1", "q1.a", r"It is $m \times 10$, i.e. $(m, 10)$.", r"m \times 10"),
        ("dl-ex1", "q1.b.W_h", "The shape of W_h is [10, 50]", r"10 \times 50"),
        ("dl-ex1", "q1.b.W_h", "The shape of $W_h$ is $[10, 50]$.", r"10 \times 50"),
        ("dl-ex1", "q2.total", "So the total is 903400 parameters.", "903400"),
        ("dl-ex1", "q2.total", "903400 (= 2800 + 180200 + 720400)", "903400"),
        ("eecs182-hw5", "q2.a.layernorm", "Layer norm is B.", r"\text{B}"),
        ("eecs182-hw5", "q2.a.layernorm", "We choose B.", r"\text{B}"),
        ("eecs182-hw5", "q4.b", r"Choose $w = p\tilde{w}$.", r"p \tilde{w}"),
        ("eecs182-hw5", "q4.b", r"Choose w = p\tilde{w}.", r"p \tilde{w}"),
    ],
)
def test_the_answer_is_found_in_the_sentence(
    problem_set: str, field: str, raw: str, shown: str
) -> None:
    value = read_text(problem_set, field, raw)
    assert not isinstance(value, ParseFailure), value
    assert shown in answer_of(problem_set, field).latex(value)


@pytest.mark.parametrize(
    ("problem_set", "field", "raw"),
    [
        ("dl-ex1", "q1.a", r"$m \times 10$ or $10 \times m$"),
        ("dl-ex1", "q1.a", r"Either $m \times 10$ or maybe $m \times 11$."),
        ("dl-ex1", "q2.total", "Layer 1 has $2800$ and the total is $903400$."),
        ("eecs182-hw5", "q2.a.layernorm", "Layer norm is $B$, batch norm is $A$."),
    ],
)
def test_two_candidate_answers_are_refused_as_such(problem_set: str, field: str, raw: str) -> None:
    value = read_text(problem_set, field, raw)
    assert isinstance(value, ParseFailure)
    assert "2 candidate answers" in value.message


@pytest.mark.parametrize(
    ("raw", "breaking"),
    [
        ("903400 (= 2800 + 180200 + 72040)", "2800 + 180200 + 72040"),
        ("903400 (= 2800 + 180200 + 720000)", "2800 + 180200 + 720000"),
        ("903400 (= 2800 + 180200 + 720401)", "2800 + 180200 + 720401"),
        ("903401 (= 2800 + 180200 + 720400)", "2800 + 180200 + 720400"),
    ],
)
def test_bracketed_working_is_checked_as_working_before_equals_is(raw: str, breaking: str) -> None:
    value = read_text("dl-ex1", "q2.total", raw)
    assert isinstance(value, Refuted)
    assert f"'{breaking}' does not equal" in value.message


@pytest.mark.parametrize(
    ("problem_set", "field", "raw", "message"),
    [
        # Words that name no answer leave the whole text's own failure standing.
        ("dl-ex1", "q1.a", "(batch, 10)", "uses m"),
        ("eecs182-hw5", "q2.a.batchnorm", "a batch norm layer", "options A, B, C"),
        ("eecs182-hw5", "q2.a.batchnorm", "The answer is A or B", "single option"),
        ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_h)W_o + b_o)..", "'.' cannot be used"),
        ("dl-ex1", "q1.a", "We choose.", "not dimensions"),
        ("dl-ex1", "q1.a", " ".join(f"${n}$" for n in range(6)) + " words", "too many math"),
    ],
)
def test_what_names_no_single_answer_is_refused(
    problem_set: str, field: str, raw: str, message: str
) -> None:
    value = read_text(problem_set, field, raw)
    assert isinstance(value, ParseFailure)
    assert message in value.message


HOSTILE_SENTENCES = (
    "the " * 490,
    "(" + "the mean " * 200 + ")",
    "where m is " * 180,
    r"\(" * 900,
    "$x$ " * 400,
    "Layer norm is " * 140,
    " " * 1990 + "x",
    "x" + " ," * 995 + "y",
    "a" + " " * 1990 + "where",
    "(" + " " * 1990 + ")",
    "(" * 40 + "= 1" + ")" * 40,
)


@pytest.mark.parametrize("raw", HOSTILE_SENTENCES)
@pytest.mark.parametrize(
    ("problem_set", "field"),
    [
        ("dl-ex1", "q1.a"),
        ("dl-ex1", "q2.total"),
        ("dl-ex1", "q1.e"),
        ("eecs182-hw5", "q2.a.batchnorm"),
    ],
)
def test_hostile_sentences_are_refused_quickly(problem_set: str, field: str, raw: str) -> None:
    started = time.perf_counter()
    text = normalize(raw)
    value = text if isinstance(text, ParseFailure) else read_text(problem_set, field, raw)
    assert time.perf_counter() - started < NO_HANG_S
    assert isinstance(value, ParseFailure)


def test_a_plain_answer_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_extraction(*_: object) -> None:
        raise AssertionError("the plain answer reached the extraction")

    monkeypatch.setattr("app.grading.engine.extract", no_extraction)
    assert read_text("dl-ex1", "q1.a", r"m \times 10") == ("m", 10)


def test_the_refusal_of_two_answers_quotes_both() -> None:
    message = messages.several_answers(["m x 10", "10 x m"])
    assert "m x 10" in message and "10 x m" in message
    assert extract_module.MAX_CANDIDATES >= 2
