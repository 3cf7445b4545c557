"""The first stage for every answer: type, length and character checks, math delimiters."""

import re
import unicodedata
from dataclasses import dataclass

from app.grading.delimiters import Unbalanced, delimiter_offsets
from app.grading.failures import ParseFailure
from app.grading.limits import MAX_ANSWER_CHARS
from app.grading.messages import engine as messages

ALLOWED_CONTROLS = frozenset("\n\t\r")
BYTE_ORDER_MARK = "\ufeff"
HIDDEN_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Co", "Cn"))
# Markdown code spans (`m x 10`, ```[2, -1, 3]```) pasted from notebooks.
CODE_SPAN = re.compile(r"(`+)(?!`)(?P<inner>.*?)(?<!`)\1", re.DOTALL)
BOXED = re.compile(r"\\boxed\s*\{")


@dataclass(frozen=True, slots=True)
class Normalized:
    """Answer text with the raw offset each of its characters came from."""

    text: str
    origin: tuple[int, ...]

    def part(self, start: int, end: int) -> "Normalized":
        """The characters from start to end, with their offsets."""
        return Normalized(self.text[start:end], self.origin[start:end])

    def strip(self) -> "Normalized":
        """The same text without surrounding whitespace."""
        lead = len(self.text) - len(self.text.lstrip())
        return self.part(lead, len(self.text.rstrip()))

    def without(self, offsets: frozenset[int]) -> "Normalized":
        """The text with the characters at these offsets (into this text) left out."""
        kept = [index for index in range(len(self.text)) if index not in offsets]
        text = "".join(self.text[index] for index in kept)
        return Normalized(text, tuple(self.origin[index] for index in kept))


def normalize(raw: object) -> str | ParseFailure:
    """Check an untrusted answer and strip what wraps it; the text each parser starts from."""
    checked = first_stage(raw)
    return checked if isinstance(checked, ParseFailure) else checked.text


def first_stage(raw: object) -> Normalized | ParseFailure:
    """normalize, keeping the raw offset of every character that is left."""
    if not isinstance(raw, str):
        return ParseFailure(messages.NOT_TEXT)
    if len(raw) > MAX_ANSWER_CHARS:
        return ParseFailure(messages.too_long(len(raw)))
    position = _first_control(raw)
    if position is not None:
        return ParseFailure(messages.CONTROL_CHARACTER, position)
    spaced = Normalized(_plain_spaces(raw), tuple(range(len(raw))))
    text = _strip_delimiters(_strip_code_span(spaced.strip()))
    if isinstance(text, ParseFailure):
        return text
    text = _strip_boxed(text)
    return text if text.text else ParseFailure(messages.EMPTY)


def is_hidden(char: str) -> bool:
    """Whether a character is a control, format, surrogate, private or unassigned one."""
    # Format characters (bidi overrides, zero-width joiners) can make an answer read
    # differently from what the parser sees, so they are refused, not stripped.
    return unicodedata.category(char) in HIDDEN_CATEGORIES


def _first_control(text: str) -> int | None:
    for position, char in enumerate(text):
        if char in ALLOWED_CONTROLS or (position == 0 and char == BYTE_ORDER_MARK):
            continue
        if is_hidden(char):
            return position
    return None


def _plain_spaces(text: str) -> str:
    # No-break and thin spaces come with pasted text, and a byte-order mark leads text saved
    # by some editors; one for one keeps every offset.
    return "".join(_plain_space(char) for char in text)


def _plain_space(char: str) -> str:
    return " " if char == BYTE_ORDER_MARK or unicodedata.category(char) == "Zs" else char


def _strip_code_span(text: Normalized) -> Normalized:
    match = CODE_SPAN.fullmatch(text.text)
    return text.part(*match.span("inner")).strip() if match is not None else text


def _strip_delimiters(text: Normalized) -> Normalized | ParseFailure:
    # Students paste math-mode LaTeX: "$m \times 10$", "$$...$$", "\(...\)".
    offsets = delimiter_offsets(text.text)
    if isinstance(offsets, Unbalanced):
        return ParseFailure(messages.UNBALANCED_DELIMITER, text.origin[offsets.position])
    return text.without(offsets).strip()


def _strip_boxed(text: Normalized) -> Normalized:
    # A final answer copied from a worked solution often sits in \boxed{...}.
    opening = BOXED.match(text.text)
    if opening is None or not text.text.endswith("}"):
        return text
    inner = text.part(opening.end(), len(text.text) - 1)
    return inner.strip() if _braces_balanced(inner.text) else text


def _braces_balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0
