"""Untrusted math text (LaTeX or plain) to SymPy, through a whitelist and never through eval."""

from app.grading.mathparse.constants import parse_constant
from app.grading.mathparse.parse import parse_expression, to_plain
from app.grading.mathparse.printing import constant_latex, expression_latex

__all__ = ["constant_latex", "expression_latex", "parse_constant", "parse_expression", "to_plain"]
