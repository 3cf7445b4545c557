"""Text helpers shared by the simple answer types: bounds, LaTeX spacing, top-level splitting.

Rewrites here keep every character's offset (what is dropped becomes spaces), so a position
found in the working text is also a position in the normalized answer.
"""

import re
from dataclasses import dataclass

from app.grading.failures import ParseFailure
from app.grading.limits import MAX_NESTING
from app.grading.messages import answers as messages
from app.grading.normalize import normalize

OPENERS = {"(": ")", "[": "]", "{": "}"}
CLOSERS = {closing: opening for opening, closing in OPENERS.items()}
# A row break `\\` is matched first so that its second backslash is not read as `\ `.
LATEX_NOISE = re.compile(
    r"(?P<keep>\\\\)|\\(?:left|right|big|Big|bigg|Bigg)(?![A-Za-z])"
    r"|\\[,;:! ]|\\q?quad(?![A-Za-z])|~"
)


@dataclass(frozen=True, slots=True)
class Piece:
    """A slice of the working text and where it starts."""

    text: str
    start: int

    def stripped(self) -> "Piece":
        """The same piece without surrounding whitespace, its start moved to match."""
        lead = len(self.text) - len(self.text.lstrip())
        return Piece(self.text.strip(), self.start + lead)


def prepare(raw: str) -> str | ParseFailure:
    """Normalize an answer, check its brackets, and blank LaTeX spacing and sizing commands."""
    text = normalize(raw)
    if isinstance(text, ParseFailure):
        return text
    text = blank(LATEX_NOISE, text)
    failure = check_brackets(text)
    return failure if failure is not None else text


def blank(pattern: re.Pattern[str], text: str) -> str:
    """Replace every match of the pattern with as many spaces, except a group named `keep`."""
    return pattern.sub(lambda match: match.group("keep") or " " * len(match.group()), text)


def check_brackets(text: str) -> ParseFailure | None:
    """Say where brackets are unbalanced or nested too deeply, or None when they are fine."""
    stack: list[tuple[str, int]] = []
    for position, char in enumerate(text):
        if char in OPENERS:
            stack.append((char, position))
            if len(stack) > MAX_NESTING:
                return ParseFailure(messages.TOO_DEEP, position)
        elif char in CLOSERS:
            if not stack or stack[-1][0] != CLOSERS[char]:
                return ParseFailure(messages.UNBALANCED, position)
            stack.pop()
    return ParseFailure(messages.UNBALANCED, stack[-1][1]) if stack else None


def split_top(piece: Piece, separators: str) -> list[Piece]:
    """Split at separator characters that are outside every bracket (brackets are balanced)."""
    parts: list[Piece] = []
    depth = 0
    begin = 0
    for offset, char in enumerate(piece.text):
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS:
            depth -= 1
        elif depth == 0 and char in separators:
            parts.append(Piece(piece.text[begin:offset], piece.start + begin))
            begin = offset + 1
    parts.append(Piece(piece.text[begin:], piece.start + begin))
    return parts


def split_words(piece: Piece) -> list[Piece]:
    """Split at runs of whitespace outside every bracket."""
    words = [word.stripped() for word in split_top(piece, " \t\n\r")]
    return [word for word in words if word.text]


def unwrap(piece: Piece, pairs: tuple[tuple[str, str], ...]) -> tuple[Piece, str | None]:
    """Remove one pair of brackets that encloses the whole piece; also say which opener it was."""
    text = piece.text
    for opening, closing in pairs:
        if text.startswith(opening) and text.endswith(closing) and len(text) >= 2:
            inner = Piece(text[len(opening) : len(text) - len(closing)], piece.start + len(opening))
            if _balanced(inner.text):
                return inner.stripped(), opening
    return piece, None


def _balanced(text: str) -> bool:
    # "(1)+(2)" starts and ends with brackets that do not enclose it; what is left is unbalanced.
    depth = 0
    for char in text:
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def quoted(text: str, *, limit: int = 30) -> str:
    """Student text for quoting back in a message, cut short when long."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
