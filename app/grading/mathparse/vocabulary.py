"""What a field lets a student write: its symbols, their spellings, indices and shapes."""

from dataclasses import dataclass, field

Dim = int | str
"""One dimension of a matrix symbol: a number, or the name of a scalar symbol such as "m"."""


@dataclass(frozen=True, slots=True)
class SymbolSpec:
    """One symbol a student may use.

    `name` is the canonical identifier: the plain-syntax name and the SymPy symbol name.
    `aliases` are other spellings, plain (``dy``, ``g``) or LaTeX (``\\hat{x}``, ``\\mu``).
    `derivative_of` marks the symbol as the upstream derivative of another one, so that
    ``\\frac{\\partial f}{\\partial y_i}``, ``\\frac{\\partial L}{\\partial y_i}`` and ``dL/dy_i``
    all resolve to it with the index carried over.
    `shape` is None for a scalar, ``(n,)`` for a vector, ``(r, c)`` for a matrix.
    """

    name: str
    latex: str
    aliases: tuple[str, ...] = ()
    indexed: bool = False
    derivative_of: str | None = None
    shape: tuple[Dim, ...] | None = None

    @property
    def is_matrix(self) -> bool:
        """True for vector and matrix symbols, which do not commute."""
        return self.shape is not None


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Everything an expression answer may mention.

    `free_indices` may appear unbound (``i`` in ``x_i``); any other index must be bound by a sum.
    `sum_upper` is the upper limit assumed for a sum written without limits (``\\sum_j``).
    `targets` are names a student may write on the left of ``=`` (``Y = ...``), which is dropped.
    """

    symbols: tuple[SymbolSpec, ...]
    free_indices: tuple[str, ...] = ()
    sum_upper: str | None = None
    functions: frozenset[str] = field(default_factory=lambda: frozenset({"sqrt"}))
    targets: tuple[str, ...] = ()

    def by_name(self) -> dict[str, SymbolSpec]:
        """Map canonical names to their specs."""
        return {spec.name: spec for spec in self.symbols}
