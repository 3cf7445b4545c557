"""SymPy function heads that parsed answers may contain besides SymPy's own Add/Mul/Pow/Sum."""

from typing import Any

import sympy


class ReLU(sympy.Function):  # type: ignore[misc]  # sympy ships no type hints
    """Elementwise max(0, x); also what ``\\max(0, x)`` parses to."""

    nargs = 1

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        # SymPy's printer passes a power of a function call as `exp` (ReLU(x)^2).
        text = rf"\operatorname{{ReLU}}\left({printer._print(self.args[0])}\right)"
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"


class Transpose(sympy.Function):  # type: ignore[misc]  # sympy ships no type hints
    """Transpose of a vector or matrix symbol or product (``W^T``, ``W^\\top``, ``W'``)."""

    nargs = 1

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        inner = printer._print(self.args[0])
        if not isinstance(self.args[0], sympy.Symbol):
            inner = rf"\left({inner}\right)"
        text = rf"{inner}^{{\top}}"
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"

    def _sympystr(self, printer: Any) -> str:
        # SymPy's own printer expects an `.arg` attribute that only its matrix Transpose has.
        return f"transpose({printer._print(self.args[0])})"
