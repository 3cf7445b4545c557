"""Fifth stage: SymPy objects built directly from checked nodes, with evaluate=False."""

import ast
from collections.abc import Callable
from fractions import Fraction
from typing import Any, Final

import sympy

from app.grading import limits
from app.grading.mathparse.check import position_of, spine
from app.grading.mathparse.core import Frag, Reject
from app.grading.mathparse.exact import constant_value, evaluate, exceeds, is_numeric
from app.grading.mathparse.functions import ReLU, Transpose
from app.grading.mathparse.spellings import Tables
from app.grading.messages import parse as messages

_HALF: Final = sympy.Rational(1, 2)
_CALLS: Final[dict[str, Callable[[Any], Any]]] = {
    "sqrt": lambda arg: sympy.Pow(arg, _HALF, evaluate=False),
    "ReLU": lambda arg: ReLU(arg, evaluate=False),
    "transpose": lambda arg: Transpose(arg, evaluate=False),
    "exp": lambda arg: sympy.exp(arg, evaluate=False),
    "log": lambda arg: sympy.log(arg, evaluate=False),
}


def build(tree: ast.Expression, source: Frag, tables: Tables) -> Any:
    """Build the SymPy expression of a checked tree (raises Reject on oversized exponents)."""
    return _Builder(source, tables).node(tree.body)


def index_symbol(name: str) -> Any:
    """The SymPy symbol of a summation or free index."""
    return sympy.Symbol(name, integer=True)


class _Builder:
    """Maps each whitelisted node kind to its SymPy constructor."""

    def __init__(self, source: Frag, tables: Tables) -> None:
        self.source = source
        self.tables = tables
        self.vetting = False

    def node(self, node: ast.expr) -> Any:
        """Build one checked node; a numbers-only part is evaluated once to vet it."""
        if not self.vetting and not isinstance(node, ast.Constant) and is_numeric(node):
            # Nothing is computed for the tree itself (evaluate=False), so 1/0, 0^0 and
            # sqrt(-1) would otherwise pass as structure and only fail when sampled.
            evaluate(node, self.source)
            self.vetting = True
            try:
                return self.build_node(node)
            finally:
                self.vetting = False
        return self.build_node(node)

    def build_node(self, node: ast.expr) -> Any:
        """Build one checked node, dispatching on its kind."""
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            return self.power(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            if is_numeric(node.right) and evaluate(node.right, self.source) == 0:
                position = position_of(self.source, node.right.col_offset)
                raise Reject(messages.DIVISION_BY_ZERO, position)
            return self.quotient(node)
        if isinstance(node, ast.BinOp):
            return self.chain(node)
        if isinstance(node, ast.UnaryOp):
            operand = self.node(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(operand, sympy.Number):
                return -operand
            return sympy.Mul(-1, operand, evaluate=False)
        if isinstance(node, ast.Constant):
            value = constant_value(node, self.source)
            return sympy.Rational(value.numerator, value.denominator)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        raise Reject(messages.not_allowed(type(node).__name__))

    def quotient(self, node: ast.BinOp) -> Any:
        """a / b as a * b^-1; a matrix over a matrix could mean either side, so it is refused."""
        left, right = self.node(node.left), self.node(node.right)
        if left.is_commutative is False and right.is_commutative is False:
            raise Reject(messages.MATRIX_DIVISION, position_of(self.source, node.right.col_offset))
        return sympy.Mul(left, sympy.Pow(right, -1, evaluate=False), evaluate=False)

    def chain(self, node: ast.BinOp) -> Any:
        """a - b is Add(a, Mul(-1, b)); chains of + and - (or of *) stay flat."""
        first, steps = spine(node)
        items = [self.node(first)]
        for op, right in steps:
            item = self.node(right)
            if isinstance(op, ast.Sub):
                item = sympy.Mul(-1, item, evaluate=False)
            items.append(item)
        if isinstance(node.op, ast.Add | ast.Sub):
            return sympy.Add(*items, evaluate=False)
        return sympy.Mul(*items, evaluate=False)

    def power(self, node: ast.BinOp) -> Any:
        """Powers; a numeric exponent is evaluated (bounded), limited, and kept exact."""
        base = self.node(node.left)
        if not is_numeric(node.right):
            return sympy.Pow(base, self.node(node.right), evaluate=False)
        exponent = evaluate(node.right, self.source)
        if exceeds(exponent, limits.MAX_EXPONENT):
            raise Reject(
                messages.EXPONENT_TOO_LARGE, position_of(self.source, node.right.col_offset)
            )
        if isinstance(exponent, Fraction):
            return sympy.Pow(
                base, sympy.Rational(exponent.numerator, exponent.denominator), evaluate=False
            )
        return sympy.Pow(base, self.node(node.right), evaluate=False)

    def name(self, name: str) -> Any:
        """A vocabulary symbol (non-commuting when it has a shape) or an index."""
        spec = self.tables.by_plain.get(name)
        if spec is None:
            return index_symbol(name)
        return sympy.Symbol(spec.name, commutative=not spec.is_matrix)

    def call(self, node: ast.Call) -> Any:
        """Sum or one of the allowed functions."""
        assert isinstance(node.func, ast.Name)
        if node.func.id == "Sum":
            body, index, lower, upper = node.args
            assert isinstance(index, ast.Name)
            limits_ = (index_symbol(index.id), self.node(lower), self.node(upper))
            return sympy.Sum(self.node(body), limits_)
        if node.func.id == "KroneckerDelta":
            return sympy.KroneckerDelta(*(self.index(argument) for argument in node.args))
        return _CALLS[node.func.id](self.node(node.args[0]))

    def subscript(self, node: ast.Subscript) -> Any:
        """x[i], x[1], x[i + 1]."""
        assert isinstance(node.value, ast.Name)
        base = sympy.IndexedBase(self.tables.by_plain[node.value.id].name)
        index = node.slice
        if isinstance(index, ast.BinOp):
            offset = self.index(index.right)
            return sympy.Indexed(
                base,
                self.index(index.left) + (offset if isinstance(index.op, ast.Add) else -offset),
            )
        return sympy.Indexed(base, self.index(index))

    def index(self, node: ast.expr) -> Any:
        """One part of an index: a whole number, an index letter, or a scalar symbol."""
        if isinstance(node, ast.Constant):
            return sympy.Integer(node.value)
        assert isinstance(node, ast.Name)
        return self.name(node.id)
