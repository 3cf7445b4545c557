"""Cut vector and matrix text into rows of entry texts, before any entry is evaluated.

Matrix environments are rewritten in place as brackets (`\\begin{bmatrix}` -> `[`, `&` -> `,`,
`\\\\` -> `;`), so one bracket grammar covers LaTeX, Python lists and MATLAB rows.
"""

import re

from app.grading.answers._text import Piece, split_top, split_words, unwrap
from app.grading.failures import ParseFailure
from app.grading.messages import answers as messages

Grid = list[list[Piece]]

ENVIRONMENT = re.compile(r"\\(begin|end)\s*\{\s*([A-Za-z*]*)\s*\}(\s*\{[lcr|\s]*\})?")
MATRIX_ENVIRONMENTS = frozenset({"bmatrix", "pmatrix", "matrix", "Bmatrix", "smallmatrix", "array"})
NAME = re.compile(r"\s*[A-Za-z\\][\w\\{}^*' ]{0,40}?\s*=")
# Braces too: `{2, -1, 3}` for a sequence, `{{1, 2}, {3, 4}}` as Mathematica writes a matrix.
OUTER = (("[", "]"), ("(", ")"), ("\\{", "\\}"), ("{", "}"))
# A word that ends in an operator or an unfinished command (`\frac`) continues into the next.
CONTINUES = re.compile(r"(?:[+\-*/^]|\\(?:[dt]?frac|sqrt|cdot|times|div))$")
# A word that starts this way continues the previous one; `-2` after a space starts an entry.
CONTINUATION = re.compile(r"^(?:[*/^{]|[+\-]$|\\(?:cdot|times|div)(?![A-Za-z]))")


def rewrite_environments(text: str) -> str | ParseFailure:
    """Turn matrix environments, `&` and `\\\\` into brackets, commas and semicolons."""
    pieces: list[str] = []
    done = 0
    open_name: str | None = None
    for match in ENVIRONMENT.finditer(text):
        kind, name = match.group(1), match.group(2)
        failure = _environment_failure(kind, name, open_name, match.start())
        if failure is not None:
            return failure
        open_name = name if kind == "begin" else None
        width = match.end() - match.start()
        bracket = "[" + " " * (width - 1) if kind == "begin" else " " * (width - 1) + "]"
        pieces += [text[done : match.start()], bracket]
        done = match.end()
    if open_name is not None:
        return ParseFailure(messages.UNMATCHED_ENVIRONMENT)
    rewritten = "".join(pieces) + text[done:]
    return rewritten.replace("\\\\", "; ").replace("&", ",")


def _environment_failure(
    kind: str, name: str, open_name: str | None, where: int
) -> ParseFailure | None:
    if name in ("vmatrix", "Vmatrix"):
        return ParseFailure(messages.VMATRIX, where)
    if name not in MATRIX_ENVIRONMENTS:
        return ParseFailure(messages.UNKNOWN_ENVIRONMENT, where)
    if kind == "begin" and open_name is not None:
        return ParseFailure(messages.NESTED_ENVIRONMENT, where)
    if kind == "end" and open_name != name:
        return ParseFailure(messages.UNMATCHED_ENVIRONMENT, where)
    return None


def strip_name(piece: Piece) -> Piece | ParseFailure:
    """Drop a leading `w =` or `w^* =`; anything else before `=` is refused."""
    # An `=` inside brackets is a call's keyword, as in `tensor([...], dtype=torch.float64)`.
    sides = split_top(piece, "=")
    if len(sides) == 1:
        return piece
    match = NAME.match(piece.text)
    if match is None:
        return ParseFailure(messages.BEFORE_EQUALS, sides[1].start - 1)
    return Piece(piece.text[match.end() :], piece.start + match.end()).stripped()


def grid(piece: Piece) -> Grid | ParseFailure:
    """Rows of entry pieces: `[[1, 2], [3, 4]]`, `[1 2; 3 4]`, `1, 2, 3` and the like."""
    inner, _ = unwrap(piece, OUTER)
    inner, _ = unwrap(inner, OUTER)  # `\left[` around `\begin{matrix}` doubles the brackets
    rows = split_top(inner, ";")
    if rows and not rows[-1].text.strip():
        rows = rows[:-1]  # a trailing `\\` before `\end{bmatrix}`
    if len(rows) == 1:
        rows = _lines(inner) or rows
    if len(rows) > 1:
        return _all_rows([_entries(row) for row in rows])
    items = _items(inner)
    bracketed = [_as_row(item) for item in items]
    if all(row is not None for row in bracketed):
        return _all_rows([_entries(row) for row in bracketed if row is not None])
    if any(row is not None for row in bracketed):
        return ParseFailure(messages.MIXED_ROWS, piece.start)
    return _all_rows([_entries(inner)])


def _lines(inner: Piece) -> list[Piece] | None:
    # Rows typed one per line, MATLAB style; lines that hold bracketed rows or end in a
    # comma belong to a list that the brackets and commas already describe.
    lines = [line.stripped() for line in split_top(inner, "\n")]
    lines = [line for line in lines if line.text]
    if len(lines) < 2 or any(_continued(line.text) for line in lines):
        return None
    return lines


def _continued(line: str) -> bool:
    return line[0] in "[({," or line[-1] == "," or line.startswith("\\{")


def _as_row(item: Piece) -> Piece | None:
    inner, opener = unwrap(item, OUTER)
    if opener == "[" or (opener is not None and len(split_top(inner, ",")) > 1):
        return inner
    return None


def _all_rows(rows: list[list[Piece] | ParseFailure]) -> Grid | ParseFailure:
    grid_rows: Grid = []
    for row in rows:
        if isinstance(row, ParseFailure):
            return row
        grid_rows.append(row)
    return grid_rows


def _entries(row: Piece) -> list[Piece] | ParseFailure:
    entries = _items(row)
    for entry in entries:
        if not entry.text:
            return ParseFailure(messages.EMPTY_ENTRY, entry.start)
        if entry.text.startswith("[") or ";" in entry.text:
            return ParseFailure(messages.TOO_NESTED_ARRAY, entry.start)
    return entries


def _items(row: Piece) -> list[Piece]:
    parts = split_top(row, ",")
    return [part.stripped() for part in parts] if len(parts) > 1 else _joined_words(row)


def _joined_words(row: Piece) -> list[Piece]:
    entries: list[Piece] = []
    for word in split_words(row):
        previous = entries[-1] if entries else None
        if previous is not None and _continues(previous.text, word.text):
            end = word.start + len(word.text) - row.start
            entries[-1] = Piece(row.text[previous.start - row.start : end], previous.start)
        else:
            entries.append(word)
    return entries or [Piece("", row.start)]


def _continues(previous: str, word: str) -> bool:
    return bool(CONTINUES.search(previous) or CONTINUATION.match(word))
