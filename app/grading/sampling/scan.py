"""Which of a question's free indices an expression leaves free, and which it sums over."""

from dataclasses import dataclass

import sympy


@dataclass(frozen=True, slots=True)
class IndexUse:
    """Free-index letters that occur unbound (`free`) and that a sum binds (`summed`)."""

    free: frozenset[str]
    summed: frozenset[str]


def index_use(expr: sympy.Basic, names: frozenset[str]) -> IndexUse:
    """How `expr` uses each letter in `names`, with sums shadowing outer meanings."""
    free: set[str] = set()
    summed: set[str] = set()
    stack: list[tuple[sympy.Basic, frozenset[str]]] = [(expr, frozenset())]
    while stack:
        node, bound = stack.pop()
        if isinstance(node, sympy.Sum):
            variables = frozenset(str(limit[0]) for limit in node.limits)
            summed.update(variables & names)
            # Limits are read outside the sum's own binding, the body inside it.
            stack.extend((part, bound) for limit in node.limits for part in limit[1:])
            stack.append((node.function, bound | variables))
        elif node.is_Symbol:
            if node.name in names and node.name not in bound:
                free.add(node.name)
        else:
            stack.extend((arg, bound) for arg in node.args)
    return IndexUse(frozenset(free), frozenset(summed))


def unbound_indices(expr: sympy.Basic, allowed: frozenset[str]) -> frozenset[str]:
    """Index letters that no sum binds and that are not among the `allowed` free indices."""
    loose: set[str] = set()
    stack: list[tuple[sympy.Basic, frozenset[str]]] = [(expr, allowed)]
    while stack:
        node, bound = stack.pop()
        if isinstance(node, sympy.Sum):
            variables = frozenset(str(limit[0]) for limit in node.limits)
            stack.extend((part, bound) for limit in node.limits for part in limit[1:])
            stack.append((node.function, bound | variables))
        elif node.is_Symbol:
            # Index letters are the integer symbols; the vocabulary's scalars carry no such flag.
            if node.is_integer and node.name not in bound:
                loose.add(node.name)
        else:
            stack.extend((arg, bound) for arg in node.args)
    return frozenset(loose)
