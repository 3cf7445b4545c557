"""The parser's own pass after the first stage: a sentence's full stop, unicode as LaTeX."""

import unicodedata
from typing import Final

from app.grading.failures import ParseFailure
from app.grading.mathparse.core import Reject
from app.grading.messages import parse as messages
from app.grading.normalize import Normalized, first_stage

_GREEK: Final = dict(
    zip(
        "\u03b1\u03b2\u03b3\u03b4\u03b5\u03b6\u03b7\u03b8\u03b9\u03ba\u03bb\u03bc"
        "\u03bd\u03be\u03c0\u03c1\u03c3\u03c4\u03c5\u03c6\u03c7\u03c8\u03c9",
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma "
        "tau upsilon phi chi psi omega".split(),
        strict=True,
    )
)

_UNICODE: Final[dict[str, str]] = {
    **{char: f"\\{name} " for char, name in _GREEK.items()},
    "\u03c2": "\\sigma ",
    "\u03f5": "\\epsilon ",
    "\u03d5": "\\phi ",
    "\u0393": "\\Gamma ",
    "\u0394": "\\Delta ",
    "\u0398": "\\Theta ",
    "\u039b": "\\Lambda ",
    "\u03a6": "\\Phi ",
    "\u03a8": "\\Psi ",
    "\u03a9": "\\Omega ",
    # A capital sigma typed in an answer is nearly always meant as a sum.
    "\u03a3": "\\sum ",
    "\u2211": "\\sum ",
    "\u2202": "\\partial ",
    "\u221a": "\\sqrt ",
    "\u00d7": "\\times ",
    "\u00b7": "\\cdot ",
    "\u22c5": "\\cdot ",
    "\u2219": "\\cdot ",
    "\u2217": "*",
    "\u00f7": "/",
    "\u2212": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u221e": "\\infty ",
    "\u2113": "\\ell ",
    "\u2032": "'",
    "\u2192": "\\to ",
    "\u2260": "\\neq ",
    "\u1d40": "^T",
}
_SUPERSCRIPTS: Final = dict(
    zip(
        "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207a\u207b",
        "0123456789+-",
        strict=True,
    )
)
_SUBSCRIPTS: Final = dict(
    zip(
        "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089\u1d62\u2c7c\u2096\u2098\u2099",
        "0123456789ijkmn",
        strict=True,
    )
)
_ACCENTS: Final = {"\u0302": "\\hat", "\u0304": "\\bar", "\u0305": "\\bar", "\u0303": "\\tilde"}


def normalize(raw: str) -> Normalized:
    """Run the first stage, then rewrite unicode as LaTeX for the lexer (raises Reject)."""
    checked = first_stage(raw)
    if isinstance(checked, ParseFailure):
        raise Reject(checked.message, checked.position)
    content = _without_full_stop(checked)
    out: list[str] = []
    origin: list[int] = []
    for index in range(len(content.text)):
        try:
            _emit(content.text, index, out, origin)
        except Reject as reject:
            raise Reject(reject.failure.message, content.origin[index]) from None
    return Normalized("".join(out), tuple(content.origin[index] for index in origin))


def _without_full_stop(text: Normalized) -> Normalized:
    """An answer ended like a sentence (`... + b_o).`) loses its full stop; `2.` stays a number."""
    body = text.text
    if len(body) > 1 and body[-1] in ".;" and not body[-2].isdigit():
        return text.part(0, len(body) - 1).strip()
    return text


def _emit(raw: str, index: int, out: list[str], origin: list[int]) -> None:
    """Append the ASCII rewriting of raw[index] to the output."""
    char = raw[index]
    if char == "~" and _is_tilde_mark(raw, index, out):
        _push(f"\\tilde{{{out.pop()}}}", origin.pop(), out, origin)
    elif char.isascii() and (char.isprintable() or char in "\t\n\r"):
        _push(char, index, out, origin)
    elif char in _ACCENTS and out and out[-1].isalpha():
        _push(f"{_ACCENTS[char]}{{{out.pop()}}}", origin.pop(), out, origin)
    elif char in _SUPERSCRIPTS or char in _SUBSCRIPTS:
        _push_script(raw, index, out, origin)
    elif char == "\u22a4":
        _push("\\top " if out and out[-1] == "^" else "^\\top ", index, out, origin)
    else:
        _push(_translate(char), index, out, origin)


def _is_tilde_mark(raw: str, index: int, out: list[str]) -> bool:
    """`w~` after a lone letter is plain text for w-tilde, as problem statements write it."""
    before = out[-2] if len(out) > 1 else " "
    lone = bool(out) and out[-1].isalpha() and not (before.isalnum() or before in "\\_^")
    return lone and not raw[index + 1 : index + 2].isalnum()


def _push(text: str, index: int, out: list[str], origin: list[int]) -> None:
    # One list entry per character keeps `origin` aligned with the joined text.
    out.extend(text)
    origin.extend([index] * len(text))


def _push_script(raw: str, index: int, out: list[str], origin: list[int]) -> None:
    """Superscript and subscript characters become ^{...} and _{...}, merging runs."""
    table, marker = (_SUPERSCRIPTS, "^") if raw[index] in _SUPERSCRIPTS else (_SUBSCRIPTS, "_")
    if index > 0 and raw[index - 1] in table and out and out[-1] == "}":
        out.insert(len(out) - 1, table[raw[index]])
        origin.insert(len(origin) - 1, index)
        return
    _push(f"{marker}{{{table[raw[index]]}}}", index, out, origin)


def _translate(char: str) -> str:
    """Rewrite one non-ASCII character, or refuse it."""
    if char in _UNICODE:
        return _UNICODE[char]
    if unicodedata.category(char).startswith("Z"):
        return " "
    folded = unicodedata.normalize("NFKC", char)
    if folded.isascii() and folded.isprintable() and folded.strip():
        return folded
    raise Reject(messages.unexpected_character(char))
