"""What may stand around a vector or matrix: a NumPy or torch call, a transpose mark, a factor.

Each helper takes the working piece and returns what is inside, plus what it found, so the
array answer can apply the transpose or the factor once the entries are read.
"""

import re
from dataclasses import dataclass

from app.grading.answers._numeric import Scalar
from app.grading.answers._text import CLOSERS, OPENERS, Piece, split_top
from app.grading.failures import ParseFailure
from app.grading.messages import answers as messages

# `np.array([...])`, `tensor([...], dtype=torch.float64)`: output pasted from a notebook.
CALL = re.compile(r"(?:(?:np|numpy|jnp|torch)\s*\.\s*)?(?:array|asarray|tensor|Tensor)\s*\(")
KEYWORD = re.compile(r"\s*[A-Za-z_]\w*\s*=\s*[\w.]+\s*$")
TRANSPOSE = re.compile(
    r"(?<=[\])])\s*(?:\^\s*(?:\{\s*(?:T|\\top|\\intercal)\s*\}|T|\\top|\\intercal)|'|ᵀ|⊤|\.T)\s*$"
)
# A product sign between the factor and the bracket is optional, as in `\frac{11}{101}[10, 1]`.
PRODUCT = re.compile(r"\s*(?:\*|\\cdot|\\times|⋅|·|×)?\s*$")


@dataclass(frozen=True, slots=True)
class Factored:
    """The bracketed part of `factor [entries]`, and the factor's text (None when absent)."""

    body: Piece
    factor: Piece | None


def strip_call(piece: Piece) -> Piece:
    """The data argument of an array constructor call, or the piece unchanged."""
    match = CALL.match(piece.text)
    if match is None or not piece.text.endswith(")"):
        return piece
    inner = Piece(piece.text[match.end() : -1], piece.start + match.end())
    first, *rest = split_top(inner, ",")
    if any(KEYWORD.match(argument.text) is None for argument in rest):
        return piece
    return first.stripped()


def strip_transpose(piece: Piece) -> tuple[Piece, bool]:
    """Remove a transpose mark after the closing bracket; say whether there was one."""
    match = TRANSPOSE.search(piece.text)
    if match is None:
        return piece, False
    return Piece(piece.text[: match.start()], piece.start).stripped(), True


def split_factor(piece: Piece) -> Factored:
    """Separate a leading scalar factor from the bracketed array that ends the piece."""
    opening = _final_bracket(piece.text)
    if opening is None or opening == 0:
        return Factored(piece, None)
    prefix = PRODUCT.sub("", piece.text[:opening])
    if not prefix.strip():
        return Factored(piece, None)
    body = Piece(piece.text[opening:], piece.start + opening)
    return Factored(body, Piece(prefix, piece.start).stripped())


def power_failure(piece: Piece) -> ParseFailure | None:
    """Refuse a power of a whole bracket (`[2, 3]^2`), not of an entry (`(1 + 1)^2, 3`)."""
    if not piece.text or piece.text[0] not in OPENERS or len(split_top(piece, ",;")) > 1:
        return None
    depth = 0
    for offset, char in enumerate(piece.text):
        depth += (char in OPENERS) - (char in CLOSERS)
        if depth == 0:
            if not piece.text[offset + 1 :].lstrip().startswith("^"):
                return None
            return ParseFailure(messages.POWER_OF_ARRAY, piece.start + offset + 1)
    return None


def scaled(rows: list[list[Scalar]], factor: Scalar) -> list[list[Scalar]]:
    """Every entry multiplied by the factor."""
    return [[factor * entry for entry in row] for row in rows]


def _final_bracket(text: str) -> int | None:
    # Where the bracket that closes the text opens; brackets are known to be balanced.
    closing = {"]": "[", ")": "("}
    if not text or text[-1] not in closing:
        return None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        char = text[index]
        depth += (char in closing) - (char in "[(")
        if depth == 0:
            return index
    return None
