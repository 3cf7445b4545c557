"""Choice answers filled in on the sheet's own boxes: `☐ A ☒ B ☐ C`, `[x] A`, `✓ B`.

A box mark stands before the option it ticks, as on the printed sheet; the text after a ticked
mark, up to the next mark, is what the student ticked.
"""

import re
from dataclasses import dataclass

# Linear: each alternative is a single character or a bracket around one optional character.
MARK = re.compile(r"(?P<ticked>[☒☑✓✔✅⊠]|\[\s?[xX✓✔]\s?\])|(?P<empty>[☐□◻]|\[\s?\])")


@dataclass(frozen=True, slots=True)
class Ballot:
    """What stands beside each ticked box, in order, and how many boxes there are."""

    ticked: tuple[str, ...]
    boxes: int


def read_ballot(text: str) -> Ballot | None:
    """The labels of the ticked boxes, or None when the answer has no box marks."""
    marks = list(MARK.finditer(text))
    if not marks:
        return None
    ends = [mark.start() for mark in marks[1:]] + [len(text)]
    ticked = tuple(
        text[mark.end() : end].strip(" \t\r\n,;")
        for mark, end in zip(marks, ends, strict=True)
        if mark["ticked"]
    )
    return Ballot(ticked, len(marks))
