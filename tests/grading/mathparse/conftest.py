"""Vocabularies shaped like the ones problem files declare, and a numeric comparison helper."""

import random
from typing import Any

import pytest
import sympy

from app.grading.mathparse.vocabulary import SymbolSpec, Vocabulary

BATCHNORM = Vocabulary(
    symbols=(
        SymbolSpec("dy", r"\frac{\partial f}{\partial y}", indexed=True, derivative_of="y"),
        SymbolSpec("x", "x", indexed=True),
        SymbolSpec("xhat", r"\hat{x}", (r"\hat{x}", "xhat", r"\hat x"), indexed=True),
        SymbolSpec("mu", r"\mu", ("mu",)),
        SymbolSpec("sigma2", r"\sigma^{2}", (r"\sigma^2", r"\sigma^{2}", "var", "sigma^2")),
        SymbolSpec("sigma", r"\sigma", ("sigma",)),
        SymbolSpec("eps", r"\epsilon", (r"\epsilon", r"\varepsilon", "epsilon", "eps")),
        SymbolSpec("gamma", r"\gamma"),
        SymbolSpec("beta", r"\beta"),
        SymbolSpec("m", "m"),
        SymbolSpec(
            "dxhat", r"\frac{\partial f}{\partial \hat{x}}", indexed=True, derivative_of="xhat"
        ),
        SymbolSpec("dsigma2", r"\frac{\partial f}{\partial \sigma^{2}}", derivative_of="sigma2"),
        SymbolSpec("dmu", r"\frac{\partial f}{\partial \mu}", derivative_of="mu"),
    ),
    free_indices=("i",),
    sum_upper="m",
    targets=("dx", r"\frac{\partial f}{\partial x_i}", "dL/dx_i"),
)

NETWORK = Vocabulary(
    symbols=(
        SymbolSpec("X", "X", shape=("m", 10)),
        SymbolSpec("W_h", "W_h", ("W_{h}",), shape=(10, 50)),
        SymbolSpec("b_h", "b_h", ("b_{h}",), shape=(1, 50)),
        SymbolSpec("W_o", "W_o", ("W_{o}",), shape=(50, 3)),
        SymbolSpec("b_o", "b_o", ("b_{o}",), shape=(1, 3)),
        SymbolSpec(
            "ones", r"\mathbf{1}_m", ("1_m", r"\mathbf{1}_m", r"\mathbf{1}_{m}"), shape=("m", 1)
        ),
        SymbolSpec("Xt", r"\tilde{X}", (r"\tilde{X}",), shape=("m", 10)),
    ),
    functions=frozenset({"sqrt", "ReLU"}),
    targets=("Y", r"\tilde{X}"),
)


@pytest.fixture
def batchnorm() -> Vocabulary:
    """The vocabulary of dl-ex1 q3 (batch-norm gradients)."""
    return BATCHNORM


@pytest.fixture
def network() -> Vocabulary:
    """A matrix vocabulary like dl-ex1 q1.e."""
    return NETWORK


def trusted(text: str, vocabulary: Vocabulary) -> Any:
    """Build a canonical expression from test-authored (trusted) SymPy syntax."""
    names: dict[str, Any] = {
        spec.name: sympy.IndexedBase(spec.name) if spec.indexed else sympy.Symbol(spec.name)
        for spec in vocabulary.symbols
    }
    names |= {letter: sympy.Symbol(letter, integer=True) for letter in "ijk"}
    return sympy.sympify(text, locals=names)


def numeric(expr: Any, seed: int, *, size: int = 4, at: int = 2) -> complex:
    """Evaluate an expression with m = size, i = at, and seeded values for every symbol."""

    def value(key: str) -> float:
        return random.Random(f"{seed}:{key}").uniform(0.5, 2.0)

    expr = expr.subs({sympy.Symbol("m"): size, sympy.Symbol("i", integer=True): at})
    # Rebuilding evaluates what the parser left unevaluated, such as a sum's limit m - 1.
    expr = expr.replace(lambda e: isinstance(e, sympy.Add | sympy.Mul), lambda e: e.func(*e.args))
    expr = expr.doit()
    expr = expr.replace(
        lambda e: isinstance(e, sympy.Indexed),
        lambda e: sympy.Float(value(f"{e.base.label.name}[{int(e.indices[0])}]")),
    )
    expr = expr.subs({s: value(s.name) for s in sorted(expr.free_symbols, key=str)})
    return complex(expr.evalf())
