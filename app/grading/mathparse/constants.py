"""Numeric answers: thousands separators, scientific notation and arithmetic, computed exactly."""

import re
from fractions import Fraction
from typing import Final

from app.grading.failures import ParseFailure
from app.grading.mathparse.check import check, parse_plain
from app.grading.mathparse.core import Reject
from app.grading.mathparse.exact import evaluate
from app.grading.mathparse.lexer import tokenize
from app.grading.mathparse.normalize import normalize
from app.grading.mathparse.translate import translate
from app.grading.messages import parse as messages
from app.grading.normalize import Normalized

# Two spaces: the value answers blank LaTeX spacing (`903\,400`) before parsing a number.
_SEPARATOR: Final = r"(?:,|\{,\}|\\,|\\ |'| {1,2})"
_GROUPED: Final = re.compile(rf"(?<![0-9.])[0-9]{{1,3}}(?:{_SEPARATOR}[0-9]{{3}})+(?![0-9])")
_LOOSE_SEPARATOR: Final = re.compile(rf"(?<=[0-9]){_SEPARATOR}+(?=[0-9])|,")


def parse_constant(raw: str) -> Fraction | float | ParseFailure:
    """Parse a number (exact when possible) written as digits, a fraction or arithmetic."""
    try:
        source = join_thousands(normalize(raw))
        plain = translate(tokenize(source), None)
        tree = parse_plain(plain)
        check(tree, plain, None)
        return evaluate(tree.body, plain)
    except Reject as reject:
        return reject.failure
    except RecursionError:
        return ParseFailure(messages.TOO_DEEP)


def join_thousands(source: Normalized) -> Normalized:
    """Remove separators between groups of three digits (`903,400`, `903\\,400`, `903 400`)."""
    text, origin = source.text, source.origin
    keep = [True] * len(text)
    for match in _GROUPED.finditer(text):
        for index in range(match.start(), match.end()):
            keep[index] = text[index].isdigit()
    joined = "".join(char for char, kept in zip(text, keep, strict=True) if kept)
    positions = tuple(pos for pos, kept in zip(origin, keep, strict=True) if kept)
    loose = _LOOSE_SEPARATOR.search(joined)
    if loose is not None:
        raise Reject(messages.THOUSANDS, positions[loose.start()])
    return Normalized(joined, positions)
