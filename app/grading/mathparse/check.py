"""Fourth stage: every node of the parsed plain syntax is checked against a whitelist.

Nothing becomes a SymPy object or a number before this check has passed.
"""

import ast
import re
from typing import Final

from app.grading import limits
from app.grading.mathparse.core import Frag, Reject
from app.grading.mathparse.spellings import Tables
from app.grading.messages import parse as messages

NUMBER: Final = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# Chains within a group are flattened; a division is a level of its own, like a \frac.
_GROUPS: Final[dict[type[ast.operator], int]] = {ast.Add: 0, ast.Sub: 0, ast.Mult: 1, ast.Div: 2}
_FLAT: Final = frozenset({0, 1})
_Item = tuple[ast.expr, int, frozenset[str]]


def parse_plain(source: Frag) -> ast.Expression:
    """Parse plain syntax with Python's parser (building nothing), or raise Reject."""
    try:
        return ast.parse(source.text, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as error:
        offset = getattr(error, "offset", None)
        raise Reject(messages.TOO_COMPLEX, position_of(source, (offset or 1) - 1)) from None


def position_of(source: Frag, column: int) -> int | None:
    """The raw offset behind a column of the plain text."""
    if 0 <= column < len(source.origin):
        return source.origin[column]
    return source.origin[-1] if source.origin else None


def spine(node: ast.BinOp) -> tuple[ast.expr, list[tuple[ast.operator, ast.expr]]]:
    """Flatten a left-leaning chain of + and - (or of *) without recursion."""
    group = _GROUPS[type(node.op)]
    steps: list[tuple[ast.operator, ast.expr]] = []
    current: ast.expr = node
    while isinstance(current, ast.BinOp) and _GROUPS.get(type(current.op)) == group:
        steps.append((current.op, current.right))
        current = current.left
    steps.reverse()
    return current, steps


def check(tree: ast.Expression, source: Frag, tables: Tables | None) -> None:
    """Walk every node; raise Reject at the first one outside the whitelist."""
    checker = _Checker(source, tables)
    stack: list[_Item] = [(tree.body, 1, frozenset())]
    while stack:
        stack.extend(checker.visit(*stack.pop()))


class _Checker:
    """Per-node rules; `tables` is None when only numbers are allowed."""

    def __init__(self, source: Frag, tables: Tables | None) -> None:
        self.source = source
        self.tables = tables
        self.functions = tables.functions if tables else frozenset({"sqrt"})
        self.count = 0

    def fail(self, message: str, node: ast.AST) -> Reject:
        """A Reject pointing at a node."""
        return Reject(message, position_of(self.source, getattr(node, "col_offset", 0)))

    def visit(self, node: ast.expr, depth: int, bound: frozenset[str]) -> list[_Item]:
        """Check one node and return its children to check."""
        self.count += 1
        if self.count > limits.MAX_NODES:
            raise self.fail(messages.TOO_COMPLEX, node)
        if depth > limits.MAX_NESTING:
            raise self.fail(messages.TOO_DEEP, node)
        if isinstance(node, ast.BinOp):
            return self.binop(node, depth, bound)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            return [(node.operand, depth + 1, bound)]
        if isinstance(node, ast.Constant):
            self.constant(node)
        elif isinstance(node, ast.Name):
            self.name(node, bound)
        elif isinstance(node, ast.Call):
            return self.call(node, depth, bound)
        elif isinstance(node, ast.Subscript):
            self.subscript(node, bound)
        else:
            raise self.fail(messages.construct_not_allowed(node), node)
        return []

    def binop(self, node: ast.BinOp, depth: int, bound: frozenset[str]) -> list[_Item]:
        """Arithmetic; a chain of the same operation counts as one level of nesting."""
        if not isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Pow):
            raise self.fail(messages.OPERATOR_NOT_ALLOWED, node)
        left = node.left
        group = _GROUPS.get(type(node.op))
        same = (
            group in _FLAT and isinstance(left, ast.BinOp) and _GROUPS.get(type(left.op)) == group
        )
        return [(left, depth if same else depth + 1, bound), (node.right, depth + 1, bound)]

    def constant(self, node: ast.Constant) -> None:
        """Only int and float literals, written as plain decimal digits."""
        text = self.source.text[node.col_offset : node.end_col_offset or node.col_offset]
        if type(node.value) not in (int, float) or NUMBER.fullmatch(text) is None:
            raise self.fail(messages.construct_not_allowed(node), node)
        if sum(char.isdigit() for char in re.split("[eE]", text)[0]) > limits.MAX_NUMBER_DIGITS:
            raise self.fail(messages.NUMBER_TOO_LONG, node)

    def name(self, node: ast.Name, bound: frozenset[str]) -> None:
        """A symbol, an index bound here, or a free index."""
        spec = self.tables.by_plain.get(node.id) if self.tables else None
        if spec is not None:
            if spec.indexed:
                raise self.fail(messages.needs_index(spec.name), node)
        elif node.id in bound or (self.tables and node.id in self.tables.free_indices):
            return
        elif node.id in self.functions or node.id in ("Sum", "KroneckerDelta"):
            raise self.fail(messages.needs_argument(node.id), node)
        elif self.tables is None:
            raise self.fail(messages.NOT_A_NUMBER, node)
        else:
            raise self.fail(messages.unknown_symbol(node.id), node)

    def call(self, node: ast.Call, depth: int, bound: frozenset[str]) -> list[_Item]:
        """An allowed function with exactly its arguments; Sum binds its index in its body."""
        func = node.func
        if not isinstance(func, ast.Name) or node.keywords:
            raise self.fail(messages.CALL_NOT_ALLOWED, node)
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise self.fail(messages.UNPACKING_NOT_ALLOWED, node)
        if func.id == "Sum" and self.tables is not None:
            return self.sum_call(node, depth, bound)
        if func.id == "KroneckerDelta" and self.tables is not None:
            return self.delta_call(node, bound)
        if func.id not in self.functions:
            raise self.fail(messages.unknown_function(func.id), node)
        if len(node.args) != 1:
            raise self.fail(messages.needs_argument(func.id), node)
        return [(node.args[0], depth + 1, bound)]

    def sum_call(self, node: ast.Call, depth: int, bound: frozenset[str]) -> list[_Item]:
        """Sum(body, j, lo, hi)."""
        if len(node.args) != 4 or not isinstance(node.args[1], ast.Name):
            raise self.fail(messages.SUM_LIMITS, node)
        body, index, lower, upper = node.args
        assert isinstance(index, ast.Name)
        if self.tables and (index.id in self.tables.by_plain or index.id in self.functions):
            raise self.fail(messages.index_is_symbol(index.id), index)
        self.count += 1
        inner = bound | {index.id}
        return [(body, depth + 1, inner), (lower, depth + 1, bound), (upper, depth + 1, bound)]

    def delta_call(self, node: ast.Call, bound: frozenset[str]) -> list[_Item]:
        """KroneckerDelta(i, j): two index letters or whole numbers."""
        if len(node.args) != 2:
            raise self.fail(messages.KRONECKER_FORM, node)
        for argument in node.args:
            self.index_part(argument, bound)
        self.count += 2
        return []

    def subscript(self, node: ast.Subscript, bound: frozenset[str]) -> None:
        """An indexed symbol with one index: a letter, a whole number, or letter +/- number."""
        base = node.value
        spec = (
            self.tables.by_plain.get(base.id)
            if self.tables and isinstance(base, ast.Name)
            else None
        )
        if spec is None:
            raise self.fail(messages.INDEXING_NOT_ALLOWED, node)
        if not spec.indexed:
            raise self.fail(messages.takes_no_index(spec.name), node)
        index = node.slice
        if isinstance(index, ast.BinOp) and isinstance(index.op, ast.Add | ast.Sub):
            self.index_part(index.left, bound)
            if not _is_whole(index.right):
                raise self.fail(messages.BAD_INDEX, index)
            self.count += 3
        else:
            self.index_part(index, bound)
            self.count += 1

    def index_part(self, node: ast.expr, bound: frozenset[str]) -> None:
        """The letter or number of an index."""
        if _is_whole(node):
            return
        if not isinstance(node, ast.Name):
            raise self.fail(messages.BAD_INDEX, node)
        assert self.tables is not None
        spec = self.tables.by_plain.get(node.id)
        # A letter no sum binds is readable; grading names the missing sum (a wrong answer).
        if spec is not None and (spec.indexed or spec.is_matrix):
            raise self.fail(messages.BAD_INDEX, node)


def _is_whole(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value >= 0
