"""Values shared by the parser's stages: tokens, plain-syntax fragments, the internal failure."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from app.grading.failures import ParseFailure


class Kind(Enum):
    """What a token is; its text says which one."""

    NUM = "number"
    LETTER = "letter"
    CMD = "command"
    OP = "operator"
    OPEN = "open"
    CLOSE = "close"


@dataclass(frozen=True, slots=True)
class Token:
    """One lexical unit; `pos` is the raw offset, `spaced` whether whitespace preceded it.

    `grouped` marks a token that was alone in braces (``{12}``), which keeps LaTeX's
    single-character argument rule (``\\frac12``) from splitting it.
    """

    kind: Kind
    text: str
    pos: int
    spaced: bool = False
    grouped: bool = False


class Reject(Exception):
    """Raised inside a stage and turned into its ParseFailure at the stage's boundary."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.failure = ParseFailure(message, position)


@dataclass(frozen=True, slots=True)
class Frag:
    """Plain-syntax text with the raw offset of each of its characters.

    `primary` is True when the text can be an operand of any operator without parentheses;
    `bare` is the fragment without the parentheses `wrap` added, for use as a call's argument.
    """

    text: str
    origin: tuple[int, ...]
    primary: bool = True
    bare: "Frag | None" = None


def lit(text: str, pos: int, *, primary: bool = True) -> Frag:
    """A fragment whose characters all come from one raw offset."""
    return Frag(text, (pos,) * len(text), primary)


def cat(parts: Iterable[Frag], *, primary: bool) -> Frag:
    """Concatenate fragments, keeping their origins."""
    items = list(parts)
    origin = tuple(o for part in items for o in part.origin)
    return Frag("".join(part.text for part in items), origin, primary)


def wrap(frag: Frag) -> Frag:
    """Parenthesize a fragment unless it is already primary."""
    if frag.primary:
        return frag
    pos = frag.origin[0] if frag.origin else 0
    wrapped = cat((lit("(", pos), frag, lit(")", pos)), primary=True)
    return Frag(wrapped.text, wrapped.origin, True, frag)
