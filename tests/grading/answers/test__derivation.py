"""Worked expression answers: chains graded on their last step, steps checked against it,
chain-rule notation skipped only for the asked derivative, intermediates substituted."""

import time
from typing import Any

import pytest

from app.grading.answers._derivation import MAX_STEPS, asked_variable
from app.grading.failures import ParseFailure, Refuted
from app.grading.messages import answers as messages
from app.grading.messages import parse as parse_messages
from app.problemsets.catalog import ProblemCatalog
from tests.bounds import NO_HANG_S

CATALOG = ProblemCatalog()
GAMMA = r"\sum_i \frac{\partial f}{\partial y_i} \hat{x}_i"
CHAIN_RULE = r"\sum_i \frac{\partial f}{\partial y_i} \frac{\partial y_i}{\partial \gamma}"
LAYERS = "H = ReLU(X W_h + b_h)"


def field(problem_set: str, field_id: str) -> Any:
    return CATALOG.compiled(problem_set).fields[field_id]


def matches_reference(problem_set: str, field_id: str, raw: str) -> bool:
    compiled = field(problem_set, field_id)
    value = compiled.answer.parse(raw)
    assert not isinstance(value, ParseFailure), value
    return bool(compiled.answer.compare(value, compiled.expected).matches)


@pytest.mark.parametrize(
    ("problem_set", "field_id", "raw"),
    [
        ("dl-ex1", "q3.a", f"{CHAIN_RULE} = {GAMMA}"),
        ("dl-ex1", "q3.a", rf"\frac{{\partial f}}{{\partial \gamma}} = {CHAIN_RULE} = {GAMMA}"),
        (
            "dl-ex1",
            "q3.a",
            rf"{CHAIN_RULE} = \sum_i \frac{{\partial f}}{{\partial y_i}}"
            rf"\frac{{x_i - \mu}}{{\sqrt{{\sigma^2 + \epsilon}}}} = {GAMMA}",
        ),
        (
            "eecs182-hw5",
            "q2.b.grad",
            r"\frac{\partial L}{\partial x_i} = \sum_j \frac{\partial L}{\partial y_j}"
            r"\frac{\partial y_j}{\partial x_i} = \gamma\left(\frac{\partial L}{\partial y_i}"
            r" - \frac{1}{n}\sum_{j=1}^n \frac{\partial L}{\partial y_j}\right)",
        ),
        ("dl-ex1", "q1.e", f"{LAYERS}, Y = ReLU(H W_o + b_o)"),
        ("dl-ex1", "q1.e", f"{LAYERS}; Y = ReLU(H W_o + b_o)"),
        ("dl-ex1", "q1.e", f"{LAYERS}\nY = ReLU(H W_o + b_o)"),
        ("dl-ex1", "q1.e", f"Y = ReLU(H W_o + b_o) where {LAYERS}"),
        ("dl-ex1", "q1.e", f"ReLU(Z), Z = H W_o + b_o, {LAYERS}"),
        ("eecs182-hw5", "q4.b", r"w = p\tilde{w}, \Gamma = \sqrt{p(1-p)} \tilde{X}"),
    ],
)
def test_worked_answers_are_graded_on_their_result(
    problem_set: str, field_id: str, raw: str
) -> None:
    assert matches_reference(problem_set, field_id, raw)


@pytest.mark.parametrize(
    ("raw", "step"),
    [
        (rf"\sum_i \frac{{\partial f}}{{\partial y_i}} x_i = {GAMMA}", 1),
        (
            rf"\frac{{\partial f}}{{\partial \gamma}} = \sum_i \frac{{\partial f}}{{\partial y_i}} = {GAMMA}",
            2,
        ),
        (rf"{GAMMA} = \sum_i \frac{{\partial f}}{{\partial y_i}} x_i = {GAMMA}", 2),
    ],
)
def test_a_chain_whose_steps_disagree_names_the_step_that_breaks(raw: str, step: int) -> None:
    result = field("dl-ex1", "q3.a").answer.parse(raw)
    assert isinstance(result, Refuted)
    assert result.message == messages.step_breaks(step)
    assert result.position is not None


def test_a_wrong_last_step_is_graded_as_the_answer() -> None:
    wrong = r"\sum_i \frac{\partial f}{\partial y_i} x_i"
    assert not matches_reference("dl-ex1", "q3.a", f"{CHAIN_RULE} = {wrong}")


@pytest.mark.parametrize(
    ("problem_set", "field_id", "raw", "message"),
    [
        # Chain-rule notation for another derivative is not notation for this one.
        (
            "dl-ex1",
            "q3.a",
            rf"\sum_i \frac{{\partial f}}{{\partial y_i}} \frac{{\partial y_i}}{{\partial \beta}} = {GAMMA}",
            parse_messages.NOT_A_TARGET,
        ),
        ("dl-ex1", "q1.e", "W_h = ReLU(X)", parse_messages.NOT_A_TARGET),
        ("dl-ex1", "q1.e", "Y = Z = ReLU(X)", parse_messages.EQUALS_TWICE),
        ("dl-ex1", "q1.e", "W_h = ReLU(X), Y = ReLU(W_h W_o + b_o)", parse_messages.EQUALS_TWICE),
        ("dl-ex1", "q1.e", f"{LAYERS}, H = ReLU(H W_o + b_o)", parse_messages.EQUALS_TWICE),
        # Two statements that are not definitions are two answers: the parser's refusal stands.
        ("dl-ex1", "q1.e", f"{LAYERS}, ReLU(H W_o), ReLU(H W_o + b_o)", "not the quantity"),
        ("dl-ex1", "q1.e", "Y = " + " = ".join(["ReLU(X W_h)"] * MAX_STEPS), "too many steps"),
        ("dl-ex1", "q1.e", ", ".join(f"H{n} = X" for n in range(5)) + ", X", "too many statements"),
    ],
)
def test_what_is_not_sound_working_is_refused(
    problem_set: str, field_id: str, raw: str, message: str
) -> None:
    result = field(problem_set, field_id).answer.parse(raw)
    assert isinstance(result, ParseFailure)
    assert message in result.message


@pytest.mark.parametrize(
    "raw",
    [
        "H = " + "H " * 300 + ", Y = " + "H" * 3 + " W_o",
        " = ".join(["("] * 6),
        "H = (" * 30 + "X" + ")" * 30 + ", Y = H",
        "=" * 1_999,
        ", ".join(["H = X"] * 400),
    ],
)
def test_hostile_working_is_refused_quickly(raw: str) -> None:
    started = time.perf_counter()
    result = field("dl-ex1", "q1.e").answer.parse(raw)
    assert time.perf_counter() - started < NO_HANG_S
    assert isinstance(result, ParseFailure)


def test_nested_definitions_expand_within_bounds() -> None:
    started = time.perf_counter()
    raw = "A = B B B B, B = C C C C, C = X X X X, Y = A A A A"
    assert not matches_reference("dl-ex1", "q1.e", raw)
    assert time.perf_counter() - started < NO_HANG_S


@pytest.mark.parametrize(
    ("targets", "variable"),
    [
        ((r"\frac{\partial f}{\partial \gamma}", "df/dgamma"), r"\gamma"),
        ((r"\frac{\partial L}{\partial \hat{x}_i}",), r"\hat{x}_i"),
        (("Y", r"\hat{Y}"), None),
        ((), None),
    ],
)
def test_the_asked_variable_comes_from_a_derivative_target(
    targets: tuple[str, ...], variable: str | None
) -> None:
    assert asked_variable(targets) == variable
