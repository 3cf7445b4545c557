"""Vectors and matrices of numbers, typed as lists, MATLAB rows or LaTeX matrix environments."""

from collections.abc import Iterable, Sequence
from typing import Any

from app.grading.answers._grid import Grid, grid, rewrite_environments, strip_name
from app.grading.answers._numeric import Scalar, as_scalar, close
from app.grading.answers._surround import (
    power_failure,
    scaled,
    split_factor,
    strip_call,
    strip_transpose,
)
from app.grading.answers._text import Piece, prepare
from app.grading.answers.base import Comparison
from app.grading.answers.number import finite_constant
from app.grading.failures import ParseFailure
from app.grading.limits import MAX_LIST_ITEMS
from app.grading.mathparse import constant_latex
from app.grading.messages import answers as messages

Vector = tuple[Scalar, ...]
Matrix = tuple[Vector, ...]
Array = Vector | Matrix


class ArrayAnswer:
    """A vector (ndim 1) or matrix (ndim 2) whose entries are compared within tolerances."""

    def __init__(self, *, ndim: int, rtol: float = 1e-9, atol: float = 1e-9) -> None:
        if ndim not in (1, 2):
            raise ValueError("ndim must be 1 (vector) or 2 (matrix)")
        self._ndim = ndim
        self._rtol = rtol
        self._atol = atol

    def parse(self, raw: str) -> Array | ParseFailure:
        """Read the rows and evaluate every entry as a constant."""
        text = prepare(raw)
        if isinstance(text, ParseFailure):
            return text
        text = rewrite_environments(text)
        if isinstance(text, ParseFailure):
            return text
        piece = strip_name(Piece(text, 0).stripped())
        if isinstance(piece, ParseFailure):
            return piece
        piece, outer = strip_transpose(piece)
        piece, inner = strip_transpose(strip_call(piece))
        failure = power_failure(piece)
        if failure is not None:
            return failure
        values = _read(piece)
        transposed = outer != inner  # `np.array(...).T`; twice transposed is as typed
        if isinstance(values, ParseFailure):
            return values
        return self._shaped(_transposed(values) if transposed else values)

    def latex(self, value: Array) -> str:
        """A bmatrix; a vector is shown as a column."""
        rows = _rows(value)
        body = r" \\ ".join(" & ".join(constant_latex(entry) for entry in row) for row in rows)
        return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"

    def compare(self, value: Array, expected: Any) -> Comparison:
        """Same shape and every entry within tolerance; hints name the kind of difference."""
        target = _as_rows(expected, self._ndim)
        if target is None:
            return Comparison(False)
        mine = _rows(value)
        if _shape(mine) != _shape(target):
            return Comparison(False, self._shape_hint(mine, target))
        wrong = self._wrong(_flat(mine), _flat(target))
        if wrong == 0:
            return Comparison(True)
        return Comparison(False, self._entry_hint(mine, target, wrong))

    def _shaped(self, values: list[list[Scalar]]) -> Array | ParseFailure:
        if self._ndim == 2:
            return tuple(tuple(row) for row in values)
        if len(values) == 1:
            return tuple(values[0])
        if all(len(row) == 1 for row in values):
            return tuple(row[0] for row in values)
        return ParseFailure(messages.EXPECTED_VECTOR)

    def _wrong(self, mine: Sequence[Scalar], target: Sequence[Scalar]) -> int:
        pairs = zip(mine, target, strict=True)
        return sum(not close(a, b, rtol=self._rtol, atol=self._atol) for a, b in pairs)

    def _shape_hint(self, mine: Matrix, target: Matrix) -> str:
        if self._ndim == 1:
            return messages.wrong_length(len(mine))
        if _shape(_transpose(mine)) == _shape(target) and self._matches(_transpose(mine), target):
            return messages.TRANSPOSED
        return messages.wrong_size(*_shape(mine))

    def _entry_hint(self, mine: Matrix, target: Matrix, wrong: int) -> str:
        flat, goal = _flat(mine), _flat(target)
        if self._all_close(flat[::-1], goal):
            return messages.REVERSED
        if self._ndim == 2 and len(mine) > 1 and self._matches(_transpose(mine), target):
            return messages.TRANSPOSED
        if self._all_close([-entry for entry in flat], goal):
            return messages.NEGATED
        return messages.wrong_entries(wrong, len(flat))

    def _matches(self, mine: Matrix, target: Matrix) -> bool:
        return _shape(mine) == _shape(target) and self._all_close(_flat(mine), _flat(target))

    def _all_close(self, mine: Sequence[Scalar], target: Sequence[Scalar]) -> bool:
        pairs = zip(mine, target, strict=True)
        return all(close(a, b, rtol=self._rtol, atol=self._atol) for a, b in pairs)


def _read(piece: Piece) -> list[list[Scalar]] | ParseFailure:
    # `\frac{11}{101}[10, 1]`: a factor that cannot be read means the text was not one.
    factored = split_factor(piece)
    if factored.factor is not None:
        factor = finite_constant(factored.factor.text)
        if not isinstance(factor, ParseFailure):
            values = _values(factored.body)
            return values if isinstance(values, ParseFailure) else scaled(values, factor)
    return _values(piece)


def _transposed(values: list[list[Scalar]]) -> list[list[Scalar]]:
    return [list(column) for column in zip(*values, strict=True)]


def _values(piece: Piece) -> list[list[Scalar]] | ParseFailure:
    rows = grid(piece)
    if isinstance(rows, ParseFailure):
        return rows
    if sum(len(row) for row in rows) > MAX_LIST_ITEMS:
        return ParseFailure(messages.TOO_MANY_ITEMS)
    if len({len(row) for row in rows}) > 1:
        return ParseFailure(messages.RAGGED)
    return _evaluate(rows)


def _evaluate(rows: Grid) -> list[list[Scalar]] | ParseFailure:
    values: list[list[Scalar]] = []
    index = 0
    for row in rows:
        values.append([])
        for entry in row:
            index += 1
            value = finite_constant(entry.text)
            if isinstance(value, ParseFailure):
                where = entry.start + (value.position or 0)
                return ParseFailure(messages.entry_failure(index, value.message), where)
            values[-1].append(value)
    return values


def _rows(value: Array) -> Matrix:
    # A vector is held as a column so that vectors and matrices share one code path.
    if value and isinstance(value[0], tuple):
        return tuple(row for row in value if isinstance(row, tuple))
    return tuple((entry,) for entry in value if not isinstance(entry, tuple))


def _as_rows(expected: Any, ndim: int) -> Matrix | None:
    data = expected.tolist() if hasattr(expected, "tolist") else expected
    if not _is_list(data):
        return None
    if ndim == 1:
        column = _scalars(data)
        return None if column is None else tuple((entry,) for entry in column)
    rows = [_scalars(item) if _is_list(item) else None for item in data]
    return tuple(row for row in rows if row is not None) if None not in rows else None


def _is_list(data: Any) -> bool:
    return isinstance(data, Iterable) and not isinstance(data, str | bytes)


def _scalars(items: Iterable[Any]) -> Vector | None:
    entries = [as_scalar(item) for item in items]
    return tuple(entry for entry in entries if entry is not None) if None not in entries else None


def _shape(rows: Matrix) -> tuple[int, int]:
    return len(rows), len(rows[0]) if rows else 0


def _flat(rows: Matrix) -> list[Scalar]:
    return [entry for row in rows for entry in row]


def _transpose(rows: Matrix) -> Matrix:
    return tuple(zip(*rows, strict=True))
