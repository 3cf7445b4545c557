"""A short plain rendering of a student's subexpression, for naming it in feedback."""

from collections.abc import Mapping

import sympy

from app.grading.mathparse.functions import ReLU, Transpose

MAX_RENDERED = 60
"""Longest rendering quoted back in a message; longer ones are cut with an ellipsis."""


def plain(expr: sympy.Basic, names: Mapping[str, str]) -> str:
    """Render `expr` with each symbol's display name, e.g. `(X W_h)^T` or `ReLU(X W_h + b_h)`."""
    text = _render(expr, names, 0)
    return text if len(text) <= MAX_RENDERED else text[: MAX_RENDERED - 1] + "…"


def _render(expr: sympy.Basic, names: Mapping[str, str], depth: int) -> str:
    if depth > MAX_RENDERED:
        return "…"
    depth += 1
    if expr.is_Symbol:
        return names.get(expr.name, expr.name)
    if isinstance(expr, sympy.Indexed):
        label = str(expr.base.label)
        return f"{names.get(label, label)}_{_render(expr.indices[0], names, depth)}"
    if expr.is_Add:
        return _sum_text([_render(arg, names, depth) for arg in expr.args])
    if expr.is_Mul:
        return _product_text(expr, names, depth)
    if expr.is_Pow:
        return f"{_atom(expr.base, names, depth)}^{_atom(expr.exp, names, depth)}"
    if isinstance(expr, Transpose):
        return f"{_atom(expr.args[0], names, depth)}^T"
    if isinstance(expr, sympy.Function):
        inner = ", ".join(_render(arg, names, depth) for arg in expr.args)
        return f"{'ReLU' if isinstance(expr, ReLU) else type(expr).__name__}({inner})"
    if isinstance(expr, sympy.Sum):
        return f"sum({_render(expr.function, names, depth)})"
    return str(expr)


def _sum_text(terms: list[str]) -> str:
    text = terms[0]
    for term in terms[1:]:
        text += f" - {term[1:]}" if term.startswith("-") else f" + {term}"
    return text


def _product_text(expr: sympy.Basic, names: Mapping[str, str], depth: int) -> str:
    factors = list(expr.args)
    sign = ""
    if factors[0] == sympy.S.NegativeOne and len(factors) > 1:
        sign, factors = "-", factors[1:]
    return sign + " ".join(_atom(factor, names, depth) for factor in factors)


def _atom(expr: sympy.Basic, names: Mapping[str, str], depth: int) -> str:
    text = _render(expr, names, depth)
    compound = expr.is_Add or expr.is_Mul or (expr.is_Number and str(expr).startswith("-"))
    return f"({text})" if compound or expr.is_Pow else text
