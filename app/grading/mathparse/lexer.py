"""Second stage: normalized text to tokens, with LaTeX's layout-only commands dropped."""

import re
from typing import Final

from app.grading import limits
from app.grading.mathparse.core import Kind, Reject, Token
from app.grading.mathparse.labels import label_spans
from app.grading.messages import parse as messages
from app.grading.normalize import Normalized

_TOKEN: Final = re.compile(
    r"""(?P<space>\s+)
    |(?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
    |(?P<cmd>\\[A-Za-z]+)
    |(?P<esc>\\[^A-Za-z]?)
    |(?P<letter>[A-Za-z])
    |(?P<pow>\*\*)
    |(?P<op>[-+*/^_'=,])
    |(?P<open>[(\[{])
    |(?P<close>[)\]}])""",
    re.VERBOSE,
)
_TEXT_ARGUMENT: Final = re.compile(r"\{\s*([A-Za-z0-9]+)\s*\}")

_DROPPED: Final = frozenset(
    r"\left \right \displaystyle \textstyle \limits \nolimits \quad \qquad \big \Big \bigg \Bigg"
    r" \bigl \bigr \Bigl \Bigr \biggl \biggr \Biggl \Biggr \middle"
    # Bold marks vectors and matrices in print; the braces it leaves group like any others.
    r" \mathbf \boldsymbol \bm".split()
)
_WRAPPERS: Final = frozenset(r"\text \textrm \textit \mathrm \mathit \operatorname \rm \it".split())
_RENAMED: Final[dict[str, tuple[Kind, str]]] = {
    r"\cdot": (Kind.OP, "*"),
    r"\times": (Kind.OP, "*"),
    r"\ast": (Kind.OP, "*"),
    r"\div": (Kind.OP, "/"),
    r"\lbrace": (Kind.OPEN, r"\{"),
    r"\rbrace": (Kind.CLOSE, r"\}"),
    r"\{": (Kind.OPEN, r"\{"),
    r"\}": (Kind.CLOSE, r"\}"),
}
_SPACING_ESCAPES: Final = frozenset({r"\,", r"\;", r"\:", r"\!", r"\>", "\\ "})
_GROUPS: Final = {"(": ")", "[": "]", "{": "}", r"\{": r"\}"}
ACCENTS: Final = frozenset(r"\hat \widehat \bar \overline \tilde \widetilde \vec \dot".split())


def tokenize(source: Normalized) -> list[Token]:
    """Split normalized text into tokens and canonicalize braces (raises Reject)."""
    tokens: list[Token] = []
    text, index, spaced = source.text, 0, False
    skipped = label_spans(text)
    while index < len(text):
        if skipped and index >= skipped[0][0]:
            index = max(index, skipped.pop(0)[1])
            continue
        match = _TOKEN.match(text, index)
        if match is None:
            raise Reject(messages.unexpected_character(text[index]), source.origin[index])
        index = _consume(match, source, tokens, spaced)
        spaced = match.lastgroup == "space" or match.group() in _SPACING_ESCAPES
    return canonical(tokens)


def _consume(match: re.Match[str], source: Normalized, tokens: list[Token], spaced: bool) -> int:
    """Append the token(s) for one match and return where lexing continues."""
    kind, word, pos = match.lastgroup, match.group(), source.origin[match.start()]
    end = match.end()
    if kind == "space" or word in _SPACING_ESCAPES or word in _DROPPED:
        return _skip_null_delimiter(source.text, end) if word in (r"\left", r"\right") else end
    if word in _RENAMED:
        token_kind, token_text = _RENAMED[word]
        tokens.append(Token(token_kind, token_text, pos, spaced))
    elif word in _WRAPPERS:
        return _unwrap(match, source, tokens, spaced)
    elif kind == "num":
        _check_digits(word, pos)
        tokens.append(Token(Kind.NUM, word, pos, spaced))
    elif kind == "esc":
        raise Reject(messages.unknown_command(word), pos)
    else:
        tokens.append(Token(_KINDS[kind or ""], "^" if kind == "pow" else word, pos, spaced))
    return end


_KINDS: Final = {
    "cmd": Kind.CMD,
    "letter": Kind.LETTER,
    "pow": Kind.OP,
    "op": Kind.OP,
    "open": Kind.OPEN,
    "close": Kind.CLOSE,
}


def _skip_null_delimiter(text: str, index: int) -> int:
    r"""`\left.` and `\right.` are invisible delimiters; skip the dot."""
    return index + 1 if text.startswith(".", index) else index


def _unwrap(match: re.Match[str], source: Normalized, tokens: list[Token], spaced: bool) -> int:
    r"""`\text{ReLU}` and friends become the plain letters they wrap."""
    argument = _TEXT_ARGUMENT.match(source.text, match.end())
    if argument is None:
        raise Reject(messages.unexpected(match.group()), source.origin[match.start()])
    start = argument.start(1)
    for offset, char in enumerate(argument.group(1)):
        kind = Kind.NUM if char.isdigit() else Kind.LETTER
        tokens.append(Token(kind, char, source.origin[start + offset], spaced and offset == 0))
    return argument.end()


def _check_digits(word: str, pos: int) -> None:
    mantissa = re.split("[eE]", word)[0]
    if sum(char.isdigit() for char in mantissa) > limits.MAX_NUMBER_DIGITS:
        raise Reject(messages.NUMBER_TOO_LONG, pos)


def canonical(tokens: list[Token]) -> list[Token]:
    r"""Check bracket balance and depth; unwrap one-token brace groups (`x_{i}` is `x_i`).

    An index written inside an accent (`\hat{x_i}`) is moved outside it (`\hat{x}_i`).
    """
    out: list[Token] = []
    stack: list[int] = []
    for token in tokens:
        if token.kind is Kind.OPEN:
            if len(stack) >= limits.MAX_NESTING:
                raise Reject(messages.TOO_DEEP, token.pos)
            stack.append(len(out))
            out.append(token)
        elif token.kind is Kind.CLOSE:
            _close(out, stack, token)
        else:
            out.append(token)
    if stack:
        raise Reject(messages.unmatched(out[stack[-1]].text), out[stack[-1]].pos)
    return out


def _close(out: list[Token], stack: list[int], token: Token) -> None:
    """Close the innermost group, simplifying it when it is a brace group."""
    if not stack or _GROUPS[out[stack[-1]].text] != token.text:
        raise Reject(messages.unmatched(token.text), token.pos)
    start = stack.pop()
    opening = out[start]
    if opening.text != "{":
        out.append(token)
        return
    inner = out[start + 1 :]
    moved: list[Token] = []
    if start > 0 and out[start - 1].text in ACCENTS and len(inner) >= 3 and inner[-2].text == "_":
        inner, moved = inner[:-2], inner[-2:]
    del out[start:]
    if len(inner) == 1:
        single = inner[0]
        out.append(Token(single.kind, single.text, single.pos, single.spaced, grouped=True))
    else:
        out.extend([opening, *inner, token])
    out.extend(moved)
