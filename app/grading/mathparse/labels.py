r"""Labels that only annotate: `\underbrace{a}_{\text{...}}` and `\overbrace{a}^{...}` mean a.

The spans found here (the command and its label) are skipped by the lexer, so a label may hold
any words without being read as math; the braced body stays and groups like any braces.
"""

import re
from typing import Final

_ANNOTATING: Final = re.compile(r"\\(underbrace|overbrace)(?![A-Za-z])")
_LABEL_MARK: Final = {"underbrace": "_", "overbrace": "^"}
_COMMAND: Final = re.compile(r"\\[A-Za-z]+|\\.|.", re.DOTALL)

Span = tuple[int, int]


def label_spans(text: str) -> list[Span]:
    """Half-open spans of `text` to skip: each annotating command and the label after its body."""
    spans: list[Span] = []
    for match in _ANNOTATING.finditer(text):
        spans.append(match.span())
        body_end = group_end(text, _skip_space(text, match.end()))
        if body_end is None:
            continue
        mark = _skip_space(text, body_end)
        if text.startswith(_LABEL_MARK[match.group(1)], mark):
            label = _skip_space(text, mark + 1)
            braced = text.startswith("{", label)
            label_end = group_end(text, label) if braced else _token_end(text, label)
            # An unclosed label is left to the lexer, which points at its brace.
            if label_end is not None:
                spans.append((mark, label_end))
    return sorted(spans)


def group_end(text: str, start: int) -> int | None:
    r"""Index after the `}` that closes the `{` at `start`; escaped braces (`\{`) do not count."""
    if not text.startswith("{", start):
        return None
    depth, index = 0, start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        index += 1
        if depth == 0:
            return index
    return None


def _token_end(text: str, start: int) -> int:
    match = _COMMAND.match(text, start)
    return match.end() if match else start


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index].isspace():
        index += 1
    return index
