"""The first stage for every answer: type, length and character checks, math delimiters."""

import re
import unicodedata

from app.grading.failures import ParseFailure
from app.grading.limits import MAX_ANSWER_CHARS
from app.grading.messages import engine as messages

ALLOWED_CONTROLS = frozenset("\n\t\r")
BYTE_ORDER_MARK = "\ufeff"
HIDDEN_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Co", "Cn"))
MATH_DELIMITERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))
"""The pairs that wrap math-mode LaTeX, longest first; every stage that strips them reads this."""
WRAPPERS = tuple(pair for pair in MATH_DELIMITERS if "$" not in pair[0])
# Markdown code spans (`m x 10`, ```[2, -1, 3]```) pasted from notebooks.
CODE_SPAN = re.compile(r"(`+)(?!`)(?P<inner>.*?)(?<!`)\1", re.DOTALL)
BOXED = re.compile(r"\\boxed\s*\{")


def normalize(raw: object) -> str | ParseFailure:
    """Check an untrusted answer and strip what wraps it; the text each parser starts from."""
    if not isinstance(raw, str):
        return ParseFailure(messages.NOT_TEXT)
    if len(raw) > MAX_ANSWER_CHARS:
        return ParseFailure(messages.too_long(len(raw)))
    position = _first_control(raw)
    if position is not None:
        return ParseFailure(messages.CONTROL_CHARACTER, position)
    text = _strip_delimiters(_strip_code_span(_plain_spaces(raw).strip()))
    if isinstance(text, ParseFailure):
        return text
    text = _strip_boxed(text)
    return text if text else ParseFailure(messages.EMPTY)


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


def _strip_code_span(text: str) -> str:
    match = CODE_SPAN.fullmatch(text)
    return match.group("inner").strip() if match is not None else text


def _strip_delimiters(text: str) -> str | ParseFailure:
    # Students paste math-mode LaTeX: "$m \times 10$", "$$...$$", "\(...\)".
    if text.count("$") % 2:
        return ParseFailure(messages.UNBALANCED_DELIMITER, text.rfind("$"))
    text = text.replace("$", "").strip()
    for opening, closing in WRAPPERS:
        if text.startswith(opening) and text.endswith(closing):
            return text[len(opening) : len(text) - len(closing)].strip()
    return text


def _strip_boxed(text: str) -> str:
    # A final answer copied from a worked solution often sits in \boxed{...}.
    opening = BOXED.match(text)
    if opening is None or not text.endswith("}"):
        return text
    inner = text[opening.end() : -1]
    return inner.strip() if _braces_balanced(inner) else text


def _braces_balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0
