r"""The optional `target =` in front of an answer: which left sides name the quantity asked for.

Besides the spellings a field lists, any loss derivative taken with respect to the same
quantity is the same target: `\frac{\partial \ell}{\partial \gamma}`, `\frac{df}{d\gamma}` and
`dL/dgamma` all name `\frac{\partial f}{\partial \gamma}`.
"""

from collections.abc import Sequence
from typing import Final

from app.grading.mathparse.constructs import Constructs
from app.grading.mathparse.core import Kind, Reject, Token
from app.grading.mathparse.spellings import GREEK, Tables
from app.grading.mathparse.translate import FRACTIONS, translate
from app.grading.messages import parse as messages

_ACCENT_SPELLINGS: Final = {r"\widehat": r"\hat", r"\widetilde": r"\tilde", r"\overline": r"\bar"}
_CLOSING: Final = {"(": ")", "[": "]", r"\{": r"\}"}


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
    left = _unwrapped(_without_limit(left))
    if not left:
        return False
    spelled = tuple(_bare(token.text) for token in left)
    if any(spelled == tuple(_bare(text) for text in target) for target in tables.targets):
        return True
    respect = derivative_respect(left, tables)
    if respect is not None and any(
        derivative_respect(list(target), tables) == respect for target in tables.target_tokens
    ):
        return True
    try:
        plain = translate(left, tables).text
    except Reject:
        return False
    return plain in tables.target_names or plain.partition("[")[0] in tables.target_names


def _without_limit(left: list[Token]) -> list[Token]:
    r"""`\lim_{n \to \infty} S` names S."""
    if len(left) < 3 or left[0].text != r"\lim" or left[1].text != "_":
        return left
    if left[2].text != "{":
        return left[3:]
    depth = 0
    for index in range(2, len(left)):
        depth += (left[index].kind is Kind.OPEN) - (left[index].kind is Kind.CLOSE)
        if depth == 0:
            return left[index + 1 :]
    return left


def _unwrapped(left: list[Token]) -> list[Token]:
    """`(A)` names A: the question writes its blanks in brackets."""
    if len(left) >= 3 and _CLOSING.get(left[0].text) == left[-1].text:
        return left[1:-1]
    return left


def derivative_respect(tokens: list[Token], tables: Tables) -> tuple[str, ...] | None:
    r"""What a loss derivative (`\frac{\partial f}{\partial S}`, `dL/dS`) is taken with respect to.

    None when the tokens are not one loss derivative; otherwise a key that is equal for every
    spelling of the same S (its symbol name when S is a symbol of the field).
    """
    cursor, texts = Constructs(tokens, tables), [token.text for token in tokens]
    if texts and texts[0] in FRACTIONS and cursor.text_at(1) == "{" and cursor.is_d(2):
        end = cursor.numerator_end(3)
        if end is not None and texts[end : end + 2] == ["}", "{"] and cursor.is_d(end + 2):
            if texts[-1] == "}" and len(texts) > end + 4:
                return _respect_key(tokens[end + 3 : -1], tables)
    if cursor.is_d(0):
        end = cursor.numerator_end(1)
        if end is not None and cursor.text_at(end) == "/" and cursor.is_d(end + 1):
            if len(texts) > end + 2:
                return _respect_key(tokens[end + 2 :], tables)
    return None


def _respect_key(tokens: Sequence[Token], tables: Tables) -> tuple[str, ...]:
    found = tables.symbols.longest(tokens, 0)
    if found is not None:
        return (found[0], *(token.text for token in tokens[found[1] :]))
    words: list[str] = []
    for index, token in enumerate(tokens):
        joined = index > 0 and token.kind is tokens[index - 1].kind is Kind.LETTER
        if joined and not token.spaced:
            words[-1] += token.text
        else:
            words.append(token.text)
    return tuple(_bare(word) for word in words)


def _bare(text: str) -> str:
    r"""One spelling per token: `\gamma` and `gamma`, `\widehat` and `\hat` agree."""
    if text.removeprefix("\\") in GREEK:
        return text.removeprefix("\\")
    return _ACCENT_SPELLINGS.get(text, text)
