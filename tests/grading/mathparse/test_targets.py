"""derivative_respect: every spelling of a loss derivative names the quantity it is taken by."""

import pytest

from app.grading.mathparse.lexer import tokenize
from app.grading.mathparse.normalize import normalize
from app.grading.mathparse.spellings import tables_for
from app.grading.mathparse.targets import derivative_respect
from app.grading.mathparse.vocabulary import Vocabulary


def _respect(raw: str, vocabulary: Vocabulary) -> tuple[str, ...] | None:
    return derivative_respect(tokenize(normalize(raw)), tables_for(vocabulary))


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (r"\frac{\partial f}{\partial \gamma}", "dL/dgamma"),
        (r"\frac{\partial \ell}{\partial \gamma}", r"\frac{df}{d\gamma}"),
        (r"\dfrac{\mathrm{d} L}{\mathrm{d} \sigma^2}", r"\frac{\partial J}{\partial var}"),
        (r"\frac{\partial \mathcal{L}}{\partial \hat{x}_i}", r"\partial f/\partial \hat{x_i}"),
        (r"\frac{\partial f}{\partial \hat x_i}", "dL/dxhat_i"),
        # rho and q are no symbols of the field: compared as written, Greek and accents folded
        (r"\frac{\partial f}{\partial \rho}", "dL/drho"),
        (r"\frac{\partial f}{\partial \widehat{q}}", r"\frac{\partial L}{\partial \hat{q}}"),
    ],
)
def test_spellings_of_one_derivative_agree(left: str, right: str, batchnorm: Vocabulary) -> None:
    key = _respect(left, batchnorm)
    assert key is not None
    assert key == _respect(right, batchnorm)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (r"\frac{\partial f}{\partial \gamma}", r"\frac{\partial f}{\partial \beta}"),
        (r"\frac{\partial f}{\partial x_i}", r"\frac{\partial f}{\partial x_j}"),
        (r"\frac{\partial f}{\partial x_i}", r"\frac{\partial f}{\partial \hat{x}_i}"),
        (r"\frac{\partial f}{\partial \sigma^2}", r"\frac{\partial f}{\partial \sigma}"),
    ],
)
def test_different_quantities_differ(left: str, right: str, batchnorm: Vocabulary) -> None:
    assert _respect(left, batchnorm) != _respect(right, batchnorm)


@pytest.mark.parametrize(
    "raw",
    [
        r"\frac{\partial y_i}{\partial \gamma}",
        r"\frac{f}{\gamma}",
        r"\frac{\partial f}{\partial}",
        "dL/",
        "d/dx",
        "df",
        r"\gamma",
        "",
    ],
)
def test_other_text_is_no_loss_derivative(raw: str, batchnorm: Vocabulary) -> None:
    tokens = tokenize(normalize(raw)) if raw else []
    assert derivative_respect(tokens, tables_for(batchnorm)) is None
