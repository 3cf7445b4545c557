"""LaTeX for how an answer was understood, in the student's own order and spellings."""

import functools
from fractions import Fraction
from typing import Any

import sympy
from sympy.printing.latex import LatexPrinter

from app.grading.mathparse.vocabulary import SymbolSpec, Vocabulary


def expression_latex(expr: Any, vocabulary: Vocabulary) -> str:
    """Print a parsed expression with the vocabulary's LaTeX spellings, terms unreordered."""
    return str(_printer_for(vocabulary).doprint(expr))


def constant_latex(value: Fraction | float) -> str:
    """Print a parsed number: an integer, a short decimal, a fraction, or scientific form."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        decimal = _short_decimal(value)
        if decimal is not None:
            return decimal
        sign = "-" if value < 0 else ""
        return rf"{sign}\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"
    mantissa, _, exponent = f"{value:.12g}".partition("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}" if exponent else mantissa


def _short_decimal(value: Fraction) -> str | None:
    """0.367 rather than 367/1000: a denominator of only 2s and 5s ends as a short decimal."""
    places, scaled = 0, value
    while scaled.denominator != 1 and places < SHORT_DECIMAL_PLACES:
        scaled, places = scaled * 10, places + 1
    if scaled.denominator != 1:
        return None
    sign = "-" if value < 0 else ""
    digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


SHORT_DECIMAL_PLACES = 12


@functools.lru_cache(maxsize=256)
def _printer_for(vocabulary: Vocabulary) -> "_VocabularyPrinter":
    return _VocabularyPrinter(vocabulary.by_name())


class _VocabularyPrinter(LatexPrinter):  # type: ignore[misc]  # sympy ships no type hints
    """SymPy's LaTeX printer, with symbols printed as their SymbolSpec says."""

    def __init__(self, specs: dict[str, SymbolSpec]) -> None:
        super().__init__({"order": "none"})
        self._specs = specs

    def _print_Symbol(self, expr: Any, style: str = "plain") -> str:
        spec = self._specs.get(expr.name)
        if spec is None:
            return str(super()._print_Symbol(expr, style))
        return spec.latex

    def _print_Indexed(self, expr: Any) -> str:
        indices = ",".join(self._index(index) for index in expr.indices)
        spec = self._specs.get(expr.base.label.name)
        if spec is None:
            return str(super()._print_Indexed(expr))
        if spec.derivative_of is None:
            return f"{spec.latex}_{{{indices}}}"
        if spec.latex.endswith("}"):
            # \frac{\partial L}{\partial y} carries its index inside: ...{\partial y_{i}}.
            return f"{spec.latex[:-1]}_{{{indices}}}}}"
        return rf"\frac{{\partial f}}{{\partial {spec.derivative_of}_{{{indices}}}}}"

    def _print_Mul(self, expr: Any) -> str:
        # Unevaluated products keep their factors; a factor x**-1 came from a division.
        if not expr.is_Mul:
            return str(super()._print_Mul(expr))
        factors = list(expr.args)
        if len(factors) > 1 and factors[0] == -1:
            rest = self._product(factors[1:])
            return "-" + (rf"\left({rest}\right)" if rest.startswith("-") else rest)
        if not expr.is_commutative:
            # A matrix product keeps its order: Gamma^{-1} X is not X / Gamma.
            return self._product(factors)
        top = [factor for factor in factors if not _is_reciprocal(factor)]
        bottom = [factor.base for factor in factors if _is_reciprocal(factor)]
        if not bottom:
            return self._product(top)
        numerator = self._product(top) if top else "1"
        return rf"\frac{{{numerator}}}{{{self._product(bottom)}}}"

    def _product(self, factors: list[Any]) -> str:
        """Factors side by side; numbers next to numbers get a dot, sums get parentheses."""
        out = ""
        for index, factor in enumerate(factors):
            text = str(self._print(factor))
            # A sum sign takes the rest of its product, so only the last factor may be a bare sum.
            open_sum = isinstance(factor, sympy.Sum) and index < len(factors) - 1
            if factor.is_Add or open_sum or (index > 0 and text.startswith("-")):
                text = rf"\left({text}\right)"
            if index > 0:
                out += r" \cdot " if factor.is_Number and factors[index - 1].is_Number else " "
            out += text
        return out

    def _print_Add(self, expr: Any, order: str | None = None) -> str:
        # Terms in the student's order; a negative term reads `a - b`, never `a + -b`.
        out = ""
        for index, term in enumerate(expr.args):
            text = str(self._print(term))
            if term.is_Add:
                text = rf"\left({text}\right)"
            if index == 0:
                out = text
            elif text.startswith("-"):
                out += " - " + text[1:].lstrip()
            else:
                out += " + " + text
        return out

    def _index(self, index: Any) -> str:
        """An index as the parser reads it: the letter first, then the offset (`i + 1`)."""
        if not index.is_Add or len(index.args) != 2:
            return str(self._print(index))
        offset, letter = sorted(index.args, key=lambda term: not term.is_Integer)
        if not offset.is_Integer or letter.is_Integer:
            return str(self._print(index))
        sign = "-" if offset < 0 else "+"
        return f"{self._print(letter)} {sign} {abs(int(offset))}"

    def _print_Sum(self, expr: Any) -> str:
        # Nested sums print as nested signs, outermost first, as they are written and read.
        signs = ""
        for variable, lower, upper in reversed(expr.limits):
            start = f"{self._print(variable)}={self._print(lower)}"
            signs += rf"\sum_{{{start}}}^{{{self._print(upper)}}} "
        body = str(self._print(expr.function))
        return signs + (rf"\left({body}\right)" if expr.function.is_Add else body)


def _is_reciprocal(factor: Any) -> bool:
    return bool(factor.is_Pow and factor.exp == -1)
