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
