"""Math delimiters: the one rule for `$...$`, `$$...$$`, `\\(...\\)` and `\\[...\\]`.

Every delimiter is dropped wherever it stands, once the pairs balance: `$a$ + $b$` and
`\\(a\\) + \\(b\\)` both read `a + b`. A backslash and the character after it are one unit, so a
row break followed by a bracket (`\\\\(`) and an escaped dollar (`\\$`) are no delimiters.
"""

from dataclasses import dataclass

PAIRS = {"\\(": "\\)", "\\[": "\\]"}
CLOSING = {closing: opening for opening, closing in PAIRS.items()}


@dataclass(frozen=True, slots=True)
class Unbalanced:
    """A delimiter without its partner, at this offset."""

    position: int


def delimiter_offsets(text: str) -> frozenset[int] | Unbalanced:
    """The offsets of every delimiter character, or the delimiter that does not balance."""
    offsets: set[int] = set()
    dollars: list[int] = []
    opened: list[tuple[str, int]] = []
    index = 0
    while index < len(text):
        unit = text[index : index + 2] if text[index] == "\\" else text[index]
        if unit == "$":
            dollars.append(index)
        elif unit in PAIRS:
            opened.append((unit, index))
        elif unit in CLOSING:
            if not opened or opened.pop()[0] != CLOSING[unit]:
                return Unbalanced(index)
        if unit == "$" or unit in PAIRS or unit in CLOSING:
            offsets.update(range(index, index + len(unit)))
        index += len(unit)
    if len(dollars) % 2:
        return Unbalanced(dollars[-1])
    return Unbalanced(opened[-1][1]) if opened else frozenset(offsets)
