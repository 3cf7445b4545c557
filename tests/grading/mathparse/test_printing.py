"""expression_latex and constant_latex: how an answer was understood."""

from fractions import Fraction

import pytest

from app.grading.failures import ParseFailure
from app.grading.mathparse import (
    constant_latex,
    expression_latex,
    parse_constant,
    parse_expression,
)
from app.grading.mathparse.vocabulary import Vocabulary


@pytest.mark.parametrize(
    ("raw", "latex"),
    [
        (r"\gamma \hat{x_i} + \beta", r"\gamma \hat{x}_{i} + \beta"),
        ("dL/dy_i", r"\frac{\partial f}{\partial y_{i}}"),
        (r"\frac{\partial f}{\partial \hat{x}_i}", r"\frac{\partial f}{\partial \hat{x}_{i}}"),
        (r"\frac{\partial L}{\partial \sigma^2}", r"\frac{\partial f}{\partial \sigma^{2}}"),
        ("var + eps", r"\sigma^{2} + \epsilon"),
        ("m - beta", r"m - \beta"),
        (r"\frac{1}{m}\sum_j x_j", r"\frac{1}{m} \sum_{j=1}^{m} x_{j}"),
        (r"\frac{\gamma m}{3}", r"\frac{\gamma m}{3}"),
    ],
)
def test_expressions_print_with_vocabulary_spellings(
    raw: str, latex: str, batchnorm: Vocabulary
) -> None:
    parsed = parse_expression(raw, batchnorm)
    assert not isinstance(parsed, ParseFailure)
    assert expression_latex(parsed, batchnorm) == latex


def test_matrix_functions_print_via_their_heads(network: Vocabulary) -> None:
    parsed = parse_expression(r"ReLU(X W_h)^T", network)
    assert not isinstance(parsed, ParseFailure)
    assert expression_latex(parsed, network) == (
        r"\left(\operatorname{ReLU}\left(X W_h\right)\right)^{\top}"
    )


@pytest.mark.parametrize(
    ("value", "latex"),
    [
        (Fraction(903400), "903400"),
        (Fraction(-1, 2), "-0.5"),
        (Fraction(110, 101), r"\frac{110}{101}"),
        (Fraction(367, 1000), "0.367"),
        (Fraction(-3667, 1000), "-3.667"),
        (Fraction(9034, 10), "903.4"),
        (Fraction(1, 10**13), r"\frac{1}{10000000000000}"),
        (1.5, "1.5"),
        (1.25e-7, r"1.25 \times 10^{-7}"),
    ],
)
def test_constant_latex(value: Fraction | float, latex: str) -> None:
    assert constant_latex(value) == latex


@pytest.mark.parametrize("raw", ["903,400", r"\frac{110}{101}", "-0.25", "7/3"])
def test_constant_latex_reads_back_to_the_same_value(raw: str) -> None:
    value = parse_constant(raw)
    assert not isinstance(value, ParseFailure)
    assert parse_constant(constant_latex(value)) == value


def test_matrix_products_print_in_order_without_fractions(network: Vocabulary) -> None:
    parsed = parse_expression(r"W_h^{-1} X / 2", network)
    assert not isinstance(parsed, ParseFailure)
    assert expression_latex(parsed, network) == r"W_h^{-1} X \frac{1}{2}"


@pytest.mark.parametrize(
    ("raw", "latex"),
    [
        # A sum sign takes the rest of its product: a factor after a sum stays outside it.
        (r"\left(\sum_j x_j\right) \mu", r"\left(\sum_{j=1}^{m} x_{j}\right) \mu"),
        (r"\mu \sum_j x_j", r"\mu \sum_{j=1}^{m} x_{j}"),
        # A negative term reads as a subtraction, never as `+ -`.
        (r"\beta + -\frac{1}{2}\mu", r"\beta - \frac{1}{2} \mu"),
        (r"\beta + (-\mu)", r"\beta - \mu"),
        ("beta - -mu", r"\beta - \left(-\mu\right)"),
        # An index offset is printed letter first, as the parser reads it.
        (r"x_{i+1}", r"x_{i + 1}"),
        (r"x_{i-1}", r"x_{i - 1}"),
        (r"\sum_j \sum_{k} x_j", r"\sum_{j=1}^{m} \sum_{k=1}^{m} x_{j}"),
    ],
)
def test_printing_keeps_precedence_and_scope(raw: str, latex: str, batchnorm: Vocabulary) -> None:
    parsed = parse_expression(raw, batchnorm)
    assert not isinstance(parsed, ParseFailure)
    assert expression_latex(parsed, batchnorm) == latex
