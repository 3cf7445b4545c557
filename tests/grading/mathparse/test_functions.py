"""The function heads print both as LaTeX and as SymPy's plain text."""

import sympy

from app.grading.mathparse.functions import ReLU, Transpose

W = sympy.Symbol("W", commutative=False)
X = sympy.Symbol("X", commutative=False)


def test_transpose_prints() -> None:
    assert sympy.latex(Transpose(W)) == r"W^{\top}"
    assert sympy.latex(Transpose(sympy.Mul(X, W, evaluate=False))) == r"\left(X W\right)^{\top}"
    assert str(Transpose(W)) == "transpose(W)"


def test_relu_prints() -> None:
    assert sympy.latex(ReLU(X)) == r"\operatorname{ReLU}\left(X\right)"
    assert str(ReLU(X)) == "ReLU(X)"


def test_powers_of_function_heads_print() -> None:
    # SymPy's printer hands the exponent of a function call to the head itself.
    assert sympy.latex(sympy.Pow(ReLU(X), -1, evaluate=False)) == (
        r"\left(\operatorname{ReLU}\left(X\right)\right)^{-1}"
    )
    assert sympy.latex(sympy.Pow(Transpose(W), 2, evaluate=False)) == r"\left(W^{\top}\right)^{2}"
