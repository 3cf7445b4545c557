"""The first stage for every answer: type, length and character checks, math delimiters."""

import unicodedata

from app.grading import messages
from app.grading.failures import ParseFailure
from app.grading.limits import MAX_ANSWER_CHARS

ALLOWED_CONTROLS = frozenset("\n\t\r")
WRAPPERS = (("\\(", "\\)"), ("\\[", "\\]"))


def normalize(raw: object) -> str | ParseFailure:
    """Check an untrusted answer and strip what wraps it; the text each parser starts from."""
    if not isinstance(raw, str):
        return ParseFailure(messages.NOT_TEXT)
    if len(raw) > MAX_ANSWER_CHARS:
        return ParseFailure(messages.TOO_LONG.format(length=len(raw), limit=MAX_ANSWER_CHARS))
    position = _first_control(raw)
    if position is not None:
        return ParseFailure(messages.CONTROL_CHARACTER, position)
    text = _strip_delimiters(raw.strip())
    if isinstance(text, ParseFailure):
        return text
    return text if text else ParseFailure(messages.EMPTY)


def _first_control(text: str) -> int | None:
    # Format characters (bidi overrides, zero-width joiners) can make an answer read
    # differently from what the parser sees, so they are refused, not stripped.
    for position, char in enumerate(text):
        if char in ALLOWED_CONTROLS:
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            return position
    return None


def _strip_delimiters(text: str) -> str | ParseFailure:
    # Students paste math-mode LaTeX: "$m \times 10$", "$$...$$", "\(...\)".
    if text.count("$") % 2:
        return ParseFailure(messages.UNBALANCED_DELIMITER, text.rfind("$"))
    text = text.replace("$", "").strip()
    for opening, closing in WRAPPERS:
        if text.startswith(opening) and text.endswith(closing):
            return text[len(opening) : len(text) - len(closing)].strip()
    return text
