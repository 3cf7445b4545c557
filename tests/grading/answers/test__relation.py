"""Equations that state the asked quantity in another form: they hold at its values and pin it."""

import time
from typing import Any

import pytest

from app.grading.answers._relation import ASKED, Relation, asked_symbol
from app.grading.failures import ParseFailure
from app.grading.messages import answers as messages
from app.problemsets.catalog import ProblemCatalog
from tests.bounds import NO_HANG_S

CATALOG = ProblemCatalog()


def field(problem_set: str, field_id: str) -> Any:
    return CATALOG.compiled(problem_set).fields[field_id]


def compared(problem_set: str, field_id: str, raw: str) -> tuple[bool, str | None]:
    compiled = field(problem_set, field_id)
    value = compiled.answer.parse(raw)
    assert isinstance(value, Relation), value
    comparison = compiled.answer.compare(value, compiled.expected)
    return comparison.matches, comparison.hint


@pytest.mark.parametrize(
    ("problem_set", "field_id", "raw"),
    [
        ("eecs182-hw5", "q4.b", r"\tilde{w} = w/p"),
        ("eecs182-hw5", "q4.b", r"p \tilde{w} = w"),
        ("eecs182-hw5", "q4.b", r"0 = w - p\tilde{w}"),
        ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_h) W_o + b_o) = Y"),
        ("eecs182-hw5", "q4.c", r"X = \tilde{X}\Gamma"),
        ("eecs182-hw5", "q8.B", r"\sigma^2 = B"),
    ],
)
def test_an_equation_that_determines_the_asked_quantity_matches(
    problem_set: str, field_id: str, raw: str
) -> None:
    assert compared(problem_set, field_id, raw) == (True, None)


@pytest.mark.parametrize(
    ("problem_set", "field_id", "raw", "hint"),
    [
        ("eecs182-hw5", "q4.b", r"\tilde{w} = w p", messages.RELATION_FAILS),
        ("eecs182-hw5", "q4.b", r"\tilde{w} = 2 w/p", messages.RELATION_FAILS),
        ("eecs182-hw5", "q4.b", "w = w", messages.RELATION_LOOSE),
        ("eecs182-hw5", "q4.b", r"w - w + \tilde{w} = \tilde{w}", messages.RELATION_LOOSE),
        ("eecs182-hw5", "q4.b", "0 w = 0", messages.RELATION_LOOSE),
        ("dl-ex1", "q1.e", "Y = Y", messages.RELATION_LOOSE),
        ("dl-ex1", "q1.e", "ReLU(X W_h + b_h) W_o + b_o = Y", messages.RELATION_FAILS),
        ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_h) W_o + b_o)^T = Y", messages.SIDES_SHAPES_DIFFER),
        ("eecs182-hw5", "q8.A", r"\sigma = A", messages.RELATION_FAILS),
    ],
)
def test_an_equation_that_fails_or_holds_for_anything_does_not_match(
    problem_set: str, field_id: str, raw: str, hint: str
) -> None:
    assert compared(problem_set, field_id, raw) == (False, hint)


@pytest.mark.parametrize(
    ("problem_set", "field_id", "raw"),
    [
        ("eecs182-hw5", "q4.b", r"\tilde{w} = \tilde{w}"),  # the asked symbol is absent
        ("eecs182-hw5", "q4.b", "w = p = w"),  # more than one `=`
        ("eecs182-hw5", "q8.A", r"\mu = B"),  # another field's quantity
        ("eecs182-hw5", "q4.b", "w = 9^9^9"),
        ("eecs182-hw5", "q4.b", "w = " + "(" * 100 + "p" + ")" * 100),
        ("eecs182-hw5", "q4.b", "w = __import__('os')"),
        ("eecs182-hw5", "q4.b", "().__class__ = w"),
        ("dl-ex1", "q1.e", "Y = " + " + ".join(["X W_h"] * 400)),
    ],
)
def test_what_states_no_asked_quantity_is_refused_quickly(
    problem_set: str, field_id: str, raw: str
) -> None:
    started = time.perf_counter()
    value = field(problem_set, field_id).answer.parse(raw)
    assert time.perf_counter() - started < NO_HANG_S
    assert isinstance(value, ParseFailure)


def test_the_asked_symbol_is_spelled_by_the_targets_that_name_one_symbol() -> None:
    symbol = asked_symbol(["Y", r"\hat{Y}", "Y(X)", r"\frac{\partial f}{\partial Y}"], shape=None)
    assert symbol is not None
    assert (symbol.name, symbol.latex, symbol.aliases) == (ASKED, "Y", (r"\hat{Y}",))


def test_targets_that_name_another_quantity_are_not_the_asked_one() -> None:
    symbol = asked_symbol(["A", "B"], shape=None, others={"B"})
    assert symbol is not None
    assert (symbol.latex, symbol.aliases) == ("A", ())
    assert asked_symbol(["dL/dx_i"], shape=None) is None
