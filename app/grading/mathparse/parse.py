"""The parser's entry points: each runs the stages in order and returns a ParseFailure."""

import sympy

from app.grading.failures import ParseFailure
from app.grading.mathparse.build import build
from app.grading.mathparse.check import check, parse_plain
from app.grading.mathparse.core import Frag, Reject
from app.grading.mathparse.lexer import tokenize
from app.grading.mathparse.normalize import normalize
from app.grading.mathparse.spellings import Tables, tables_for
from app.grading.mathparse.targets import strip_target
from app.grading.mathparse.translate import translate
from app.grading.mathparse.vocabulary import Vocabulary
from app.grading.messages import parse as messages


def parse_expression(raw: str, vocabulary: Vocabulary) -> sympy.Expr | ParseFailure:
    """Parse an untrusted expression into SymPy, or say why it cannot be read."""
    try:
        tables = tables_for(vocabulary)
        source = _plain(raw, tables)
        tree = parse_plain(source)
        check(tree, source, tables)
        return build(tree, source, tables)
    except Reject as reject:
        return reject.failure
    except RecursionError:
        return ParseFailure(messages.TOO_DEEP)


def to_plain(raw: str, vocabulary: Vocabulary | None = None) -> str | ParseFailure:
    """Translate LaTeX or text into plain syntax; without a vocabulary only numbers are read."""
    try:
        return _plain(raw, tables_for(vocabulary) if vocabulary else None).text
    except Reject as reject:
        return reject.failure
    except RecursionError:
        return ParseFailure(messages.TOO_DEEP)


def _plain(raw: str, tables: Tables | None) -> Frag:
    tokens = tokenize(normalize(raw))
    return translate(strip_target(tokens, tables), tables)
