"""The parser's entry points: each runs the stages in order and returns a ParseFailure."""

import sympy

from app.grading.failures import ParseFailure
from app.grading.mathparse import messages
from app.grading.mathparse.build import build
from app.grading.mathparse.check import check, parse_plain
from app.grading.mathparse.core import Frag, Kind, Reject, Token
from app.grading.mathparse.lexer import tokenize
from app.grading.mathparse.normalize import normalize
from app.grading.mathparse.spellings import Tables, tables_for
from app.grading.mathparse.translate import translate
from app.grading.mathparse.vocabulary import Vocabulary


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


def strip_target(tokens: list[Token], tables: Tables | None) -> list[Token]:
    """Drop a leading `target =`; refuse any other `=`."""
    equals = _top_level_equals(tokens)
    if not equals:
        return tokens
    if len(equals) > 1:
        raise Reject(messages.EQUALS_TWICE, tokens[equals[1]].pos)
    split = equals[0]
    if tables is None or not _is_target(tokens[:split], tables):
        raise Reject(messages.NOT_A_TARGET, tokens[split].pos)
    return tokens[split + 1 :]


def _top_level_equals(tokens: list[Token]) -> list[int]:
    depth, found = 0, []
    for index, token in enumerate(tokens):
        depth += (token.kind is Kind.OPEN) - (token.kind is Kind.CLOSE)
        if depth == 0 and token.text == "=":
            found.append(index)
    return found


def _is_target(left: list[Token], tables: Tables) -> bool:
    """Whether the left side spells a target, as written or as the symbol it translates to."""
    if not left:
        return False
    if tuple(token.text for token in left) in tables.targets:
        return True
    try:
        plain = translate(left, tables).text
    except Reject:
        return False
    return plain in tables.target_names or plain.partition("[")[0] in tables.target_names
