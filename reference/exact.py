"""Exact linear algebra over Fractions: row reduction, unique solves, pseudo-inverses."""

from collections.abc import Sequence
from fractions import Fraction

Matrix = list[list[Fraction]]
Rational = int | Fraction


class SingularSystemError(ValueError):
    """A linear system that has no solution or more than one."""


def to_matrix(rows: Sequence[Sequence[Rational]]) -> Matrix:
    """Copy a rectangular table of ints/Fractions into a Fraction matrix."""
    matrix = [[Fraction(value) for value in row] for row in rows]
    widths = {len(row) for row in matrix}
    if len(matrix) == 0 or len(widths) != 1 or 0 in widths:
        raise ValueError("a matrix needs at least one row and rows of one non-zero length")
    return matrix


def transpose(a: Matrix) -> Matrix:
    """The transpose of a."""
    return [list(column) for column in zip(*a, strict=True)]


def matmul(a: Matrix, b: Matrix) -> Matrix:
    """The product a @ b."""
    columns = transpose(b)
    return [
        [sum((x * y for x, y in zip(row, col, strict=True)), Fraction(0)) for col in columns]
        for row in a
    ]


def rref(a: Matrix) -> tuple[Matrix, tuple[int, ...]]:
    """Reduced row echelon form of a (a copy) and its pivot columns."""
    rows = [list(row) for row in a]
    pivots: list[int] = []
    for col in range(len(rows[0])):
        r = len(pivots)
        found = next((i for i in range(r, len(rows)) if rows[i][col] != 0), None)
        if found is None:
            continue
        rows[r], rows[found] = rows[found], rows[r]
        rows[r] = [value / rows[r][col] for value in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][col] != 0:
                factor = rows[i][col]
                rows[i] = [v - factor * p for v, p in zip(rows[i], rows[r], strict=True)]
        pivots.append(col)
    return rows, tuple(pivots)


def solve_unique(a: Matrix, b: Sequence[Rational]) -> tuple[Fraction, ...]:
    """The unique x with a @ x == b; SingularSystemError if there is none or many."""
    if len(b) != len(a):
        raise ValueError(f"the system has {len(a)} equations but {len(b)} right-hand sides")
    augmented = [[*row, Fraction(rhs)] for row, rhs in zip(a, b, strict=True)]
    reduced, pivots = rref(augmented)
    unknowns = len(a[0])
    if unknowns in pivots:
        raise SingularSystemError("the equations contradict each other: no solution exists")
    if len(pivots) < unknowns:
        raise SingularSystemError(
            f"the equations have rank {len(pivots)} < {unknowns} unknowns: no unique solution"
        )
    return tuple(reduced[i][unknowns] for i in range(unknowns))


def inverse(a: Matrix) -> Matrix:
    """The inverse of a square matrix; SingularSystemError if it has none."""
    size = len(a)
    if any(len(row) != size for row in a):
        raise ValueError("only a square matrix has an inverse")
    identity = [[Fraction(int(i == j)) for j in range(size)] for i in range(size)]
    reduced, pivots = rref([[*row, *eye] for row, eye in zip(a, identity, strict=True)])
    if pivots[:size] != tuple(range(size)):
        raise SingularSystemError("the matrix is singular")
    return [row[size:] for row in reduced]


def pinv(a: Matrix) -> Matrix:
    """The Moore-Penrose pseudo-inverse, exactly, from a full-rank factorisation a = C R."""
    reduced, pivots = rref(a)
    if not pivots:
        return [[Fraction(0)] * len(a) for _ in a[0]]
    # C holds a's pivot columns and R the non-zero rows of rref(a); both have full rank, so
    # pinv(a) = R^T (R R^T)^-1 (C^T C)^-1 C^T with two invertible Gram matrices.
    c = [[row[p] for p in pivots] for row in a]
    r = reduced[: len(pivots)]
    r_t, c_t = transpose(r), transpose(c)
    left = matmul(r_t, inverse(matmul(r, r_t)))
    return matmul(left, matmul(inverse(matmul(c_t, c)), c_t))


def apply(a: Matrix, x: Sequence[Rational]) -> tuple[Fraction, ...]:
    """The product a @ x for a vector x."""
    return tuple(row[0] for row in matmul(a, [[Fraction(v)] for v in x]))
