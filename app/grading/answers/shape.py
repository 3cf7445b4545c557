"""Shapes of matrices and vectors: `m x 10`, `(m, 10)`, `X \\in \\mathbb{R}^{m \\times 10}`."""

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from app.grading.answers._text import Piece, prepare, unwrap
from app.grading.answers.base import Comparison
from app.grading.failures import ParseFailure
from app.grading.limits import MAX_LIST_ITEMS, MAX_NUMBER_DIGITS
from app.grading.messages import answers as messages

Shape = tuple[int | str, ...]

SPACE = re.compile(r"(?:\\mathbb\s*\{\s*R\s*\}|\\mathbb\s*R|\\R(?![A-Za-z])|ℝ|R)\s*\^\s*")
PREFIX = re.compile(r"(?P<name>[^=:∈]+?)\s*(?:\\in(?![A-Za-z])|∈|:|=)")
IDENTIFIER = re.compile(r"[A-Za-z\\][\w\\{}^']*")
# `m by 10` and MATLAB's `m-by-10` read as products too.
SEPARATOR = (
    r"\\times(?![A-Za-z])|\\cdot(?![A-Za-z])|(?:-\s*)?(?<![A-Za-z])by(?![A-Za-z])(?:\s*-)?"
    r"|[×⋅*xX,]"
)
# `ℝ⁵⁰`, `ℝᵐˣ¹⁰`: an exponent typed in superscript characters, read one for one.
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹ᵐˣ⁽⁾", "0123456789mx()")
SUPERSCRIPT_SPACE = re.compile(
    r"(?:\\mathbb\s*\{\s*R\s*\}|\\mathbb\s*R|\\R|ℝ|R)(?=[⁰¹²³⁴-⁹ᵐˣ⁽⁾\s]+$)"
)
# A dimension symbol may run straight into an `x` separator (`mx10`) but not into other letters.
AFTER_SYMBOL = r"(?![A-WYZa-wyz])"
BRACKETS = (("\\{", "\\}"), ("(", ")"), ("[", "]"), ("{", "}"))


class Token(NamedTuple):
    """A dimension, or a separator: `,` or `x` (any product sign)."""

    kind: str
    value: int | str
    where: int


class ShapeAnswer:
    """A tuple of positive integers and known symbolic dimensions."""

    def __init__(
        self,
        *,
        dims: Mapping[str, Sequence[str]],
        names: Sequence[str] = (),
        row_vector_ok: bool = False,
    ) -> None:
        self._canonical = {
            spelling: dim for dim, spellings in dims.items() for spelling in spellings
        }
        self._canonical.update({dim: dim for dim in dims})
        self._known = sorted(dims)
        keyed: dict[str, str] = {}
        for name in names:
            keyed.setdefault(_name_key(name), name)  # `W_h` and `W_{h}` are listed once
        self._names = tuple(keyed.values())
        self._name_keys = set(keyed)
        self._row_vector_ok = row_vector_ok
        self._token = _token_pattern(self._canonical)

    def parse(self, raw: str) -> Shape | ParseFailure:
        """Read a shape written as a product, a tuple or a real space's exponent."""
        text = prepare(raw)
        if isinstance(text, ParseFailure):
            return text
        piece = self._strip_name(Piece(text, 0))
        if isinstance(piece, ParseFailure):
            return piece
        return self._dimensions(_strip_space(piece))

    def latex(self, value: Shape) -> str:
        """Dimensions joined by \\times."""
        return r" \times ".join(str(dim) for dim in value)

    def compare(self, value: Shape, expected: Sequence[int | str]) -> Comparison:
        """Equal dimensions; a length-n vector may equal a 1 x n row when the field allows it."""
        mine, target = self._comparable(tuple(value)), self._comparable(tuple(expected))
        if mine == target:
            return Comparison(True)
        if len(mine) != len(target):
            return Comparison(False, messages.WRONG_NDIM)
        if len(mine) > 1 and mine[::-1] == target:
            return Comparison(False, messages.WRONG_ORDER)
        wrong = [i for i, (a, b) in enumerate(zip(mine, target, strict=True)) if a != b]
        return Comparison(False, messages.wrong_dimensions(wrong))

    def _comparable(self, shape: Shape) -> Shape:
        if self._row_vector_ok and len(shape) == 2 and shape[0] == 1:
            return shape[1:]
        return shape

    def _strip_name(self, piece: Piece) -> Piece | ParseFailure:
        match = PREFIX.match(piece.text)
        if match is None:
            return piece
        name = match.group("name").strip()
        key = _name_key(name)
        if key in self._name_keys or (not self._names and IDENTIFIER.fullmatch(key)):
            return Piece(piece.text[match.end() :], piece.start + match.end()).stripped()
        if self._names:
            return ParseFailure(messages.unknown_name(name, self._names), piece.start)
        return piece

    def _dimensions(self, piece: Piece) -> Shape | ParseFailure:
        tokens = self._tokens(piece)
        if isinstance(tokens, ParseFailure):
            return tokens
        if tokens and tokens[-1].kind == ",":
            tokens = tokens[:-1]  # the trailing comma of a Python 1-tuple, `(50,)`
        if not tokens:
            return ParseFailure(messages.NO_DIMENSIONS)
        return _alternating(tokens)

    def _tokens(self, piece: Piece) -> list[Token] | ParseFailure:
        tokens: list[Token] = []
        unknown: list[tuple[str, int]] = []
        for match in self._token.finditer(piece.text):
            kind, where = match.lastgroup, piece.start + match.start()
            if kind == "other":
                unknown.append((match.group(), where))
            elif kind in ("neg", "dec", "long"):
                return ParseFailure(_NUMBER_FAILURES[kind], where)
            elif kind == "sym":
                tokens.append(Token("dim", self._canonical[match.group()], where))
            elif kind == "num":
                tokens.append(Token("dim", int(match.group()), where))
            elif kind == "sep":
                tokens.append(Token("," if match.group() == "," else "x", match.group(), where))
            if len(tokens) > 2 * MAX_LIST_ITEMS:
                return ParseFailure(messages.TOO_MANY_ITEMS, where)
        if unknown:
            names = list(dict.fromkeys(text for text, _ in unknown))
            return ParseFailure(messages.unknown_dimensions(names, self._known), unknown[0][1])
        return tokens


_NUMBER_FAILURES = {
    "neg": messages.NOT_POSITIVE,
    "dec": messages.NOT_WHOLE,
    "long": messages.TOO_MANY_DIGITS,
}


def _token_pattern(canonical: Mapping[str, str]) -> re.Pattern[str]:
    spellings = sorted(canonical, key=len, reverse=True)
    symbols = "|".join(re.escape(s) + (AFTER_SYMBOL if s[-1].isalpha() else "") for s in spellings)
    parts = [
        r"(?P<ws>\s+)",
        r"(?P<neg>-\s*\d)",
        r"(?P<dec>\d*\.\d+)",
        rf"(?P<long>\d{{{MAX_NUMBER_DIGITS + 1},}})",
        r"(?P<num>\d+)",
        rf"(?P<sym>{symbols})" if symbols else None,
        rf"(?P<sep>{SEPARATOR})",
        r"(?P<other>\\[A-Za-z]+|[A-Za-z]+|.)",
    ]
    return re.compile("|".join(part for part in parts if part), re.ASCII | re.DOTALL)


def _alternating(tokens: list[Token]) -> Shape | ParseFailure:
    for index, token in enumerate(tokens):
        is_separator = token.kind != "dim"
        if is_separator != (index % 2 == 1):
            return ParseFailure(_misplaced(is_separator), token.where)
    if tokens[-1].kind != "dim":
        return ParseFailure(messages.MISSING_DIMENSION, tokens[-1].where)
    dims = tuple(token.value for token in tokens[::2])
    if 0 in dims:
        return ParseFailure(messages.NOT_POSITIVE, tokens[2 * dims.index(0)].where)
    return dims


def _misplaced(is_separator: bool) -> str:
    return messages.MISSING_DIMENSION if is_separator else messages.MISSING_SEPARATOR


def _strip_space(piece: Piece) -> Piece:
    match = SPACE.match(piece.text)
    if match is None and (match := SUPERSCRIPT_SPACE.match(piece.text)) is not None:
        piece = Piece(piece.text.translate(SUPERSCRIPTS), piece.start)
    if match is not None:
        piece = Piece(piece.text[match.end() :], piece.start + match.end())
    for _ in range(2):  # `(50,)` inside `R^{...}` needs two layers at most
        piece, opener = unwrap(piece.stripped(), BRACKETS)
        if opener is None:
            break
    return piece


def _name_key(name: str) -> str:
    # `\mathbf{W}_{h}` and `W_h` name the same matrix, and `X.shape` names X.
    key = re.sub(r"\\(?:mathbf|boldsymbol|mathrm|text)(?![A-Za-z])|[\s{}]", "", name)
    return key.removesuffix(".shape")
