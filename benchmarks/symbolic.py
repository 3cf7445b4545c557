"""The symbolic equivalence route, importable by a worker process."""

import time

import sympy


def simplify_difference(first: sympy.Expr, second: sympy.Expr) -> tuple[float, str]:
    """Time `simplify(a - b) == 0` and say whether it proved the two equal."""
    start = time.perf_counter()
    proved = sympy.simplify((first - second).doit()) == 0
    return time.perf_counter() - start, "yes" if proved else "no"
