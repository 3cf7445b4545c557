r"""Worked answers: a chain of equal steps, or a result given through named intermediates.

A chain `s_0 = s_1 = ... = s_n` is graded on its last step, s_n. The first step may name the
quantity asked for (`\frac{\partial f}{\partial \gamma} = ...`). Every other step must agree
with s_n at every sample point, or the chain is refuted (read, but given no credit) at the step
that breaks. A step may go unchecked only when it is the chain rule spelled out for the asked
derivative: the parser refuses it solely for a derivative it cannot evaluate, and every
derivative in it is either a loss derivative (`\frac{\partial f}{\partial y_i}`) or taken
with respect to the variable asked for (`\frac{\partial y_i}{\partial \gamma}` in a chain for
`\frac{\partial f}{\partial \gamma}`). Such a step is notation for the quantity; it cannot
contradict the result, and s_n is graded anyway. A two-sided `W_h = ...` whose left side is a
bare symbol names the wrong quantity and keeps the parser's message.

Intermediates (`H = ReLU(X W_h + b_h), Y = ReLU(H W_o + b_o)`) are names the field does not
know, each defined once; they are substituted, bracketed, into the one statement that is not
a definition. A definition nothing uses is an extra statement beside the answer, not graded.
"""

import re
from collections.abc import Callable
from typing import Final

import sympy

from app.grading.answers._text import Piece, split_top
from app.grading.failures import ParseFailure, Refuted
from app.grading.limits import MAX_ANSWER_CHARS
from app.grading.messages import answers as messages
from app.grading.messages import parse as parse_messages

Parse = Callable[[str], sympy.Expr | ParseFailure]
Agrees = Callable[[sympy.Expr, sympy.Expr], bool]

MAX_STEPS: Final = 6
"""Most sides of one chain of `=`."""
MAX_STATEMENTS: Final = 4
"""Most statements (definitions and the answer) in one answer."""

RETRIED: Final = (parse_messages.EQUALS_TWICE, parse_messages.NOT_A_TARGET)
STATEMENT_BREAK = re.compile(
    r"\s+(?:where|and|with)\s+|\s*\\(?:text|mathrm)\{\s*(?:where|and)\s*\}\s*"
)
NAME = re.compile(r"\s*(?P<name>\\?[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?)\s*=(?P<body>[^=]+)$")
# A fraction of differentials; each argument may hold one level of braces (`\hat{x}_i`).
ARG = r"[^{}]*(?:\{[^{}]*\}[^{}]*)*"
DIFFERENTIAL = r"(?:\\partial|\\mathrm\{d\}|d)"
DERIVATIVE = re.compile(
    rf"\\[dt]?frac\s*\{{\s*{DIFFERENTIAL}\s*(?P<num>{ARG})\}}\s*\{{\s*{DIFFERENTIAL}\s*(?P<den>{ARG})\}}"
)
LOSSES: Final = frozenset({"f", "L", r"\ell", r"\mathcal{L}", r"\mathcal L"})


def read_worked(
    text: str, parse: Parse, agrees: Agrees, asked: str | None
) -> sympy.Expr | ParseFailure | None:
    """The graded step of a worked answer; None when the text is not one."""
    statements = _statements(text)
    if len(statements) > MAX_STATEMENTS:
        return ParseFailure(messages.TOO_MANY_STATEMENTS)
    if len(statements) > 1:
        answer = _substituted(statements, parse)
        if answer is None:
            return None
        direct = parse(answer)
        return direct if not _retried(direct) else _chain(answer, parse, agrees, asked)
    return _chain(text, parse, agrees, asked)


def _retried(value: sympy.Expr | ParseFailure) -> bool:
    return isinstance(value, ParseFailure) and value.message in RETRIED


def _statements(text: str) -> list[str]:
    parts = [part.text for part in split_top(Piece(text, 0), ",;\n")]
    pieces = [piece.strip() for part in parts for piece in STATEMENT_BREAK.split(part)]
    return [piece for piece in pieces if piece]


def _substituted(statements: list[str], parse: Parse) -> str | None:
    definitions: dict[str, str] = {}
    answers: list[str] = []
    for statement in statements:
        match = NAME.match(statement)
        if match is None or not isinstance(parse(f"{match['name']} = 0"), ParseFailure):
            answers.append(statement)  # a bare expression, or `Y = ...` naming the target
        elif not isinstance(parse(match["name"]), ParseFailure) or match["name"] in definitions:
            return None  # a known symbol redefined, or one name defined twice
        else:
            definitions[match["name"]] = match["body"].strip()
    if len(answers) != 1 or not definitions:
        return None
    return _expanded(answers[0], definitions)


def _expanded(text: str, definitions: dict[str, str]) -> str | None:
    # Each round replaces one level; definitions that refer to each other need len() rounds.
    for _ in range(len(definitions)):
        for name, body in definitions.items():
            # A replacement template: the LaTeX backslashes of the body are doubled.
            text = _use(name).sub(f"({body})".replace("\\", "\\\\"), text)
            if len(text) > MAX_ANSWER_CHARS:
                return None
    return text


def _use(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z\\_{{]){re.escape(name)}(?![A-Za-z0-9_])")


def _chain(
    text: str, parse: Parse, agrees: Agrees, asked: str | None
) -> sympy.Expr | ParseFailure | None:
    sides = [side.stripped() for side in split_top(Piece(text, 0), "=")]
    if len(sides) < 2:
        return None
    if len(sides) > MAX_STEPS:
        return ParseFailure(messages.TOO_MANY_STEPS)
    final = parse(sides[-1].text)
    if isinstance(final, ParseFailure):
        return None
    steps = list(enumerate(sides[:-1], start=1))
    if not isinstance(parse(f"{sides[0].text} = 0"), ParseFailure):
        steps = steps[1:]  # the name of the quantity asked for
    return _checked(steps, final, len(sides), parse, agrees, asked)


def _checked(
    steps: list[tuple[int, Piece]],
    final: sympy.Expr,
    count: int,
    parse: Parse,
    agrees: Agrees,
    asked: str | None,
) -> sympy.Expr | ParseFailure | None:
    broken: tuple[int, Piece] | None = None
    for number, step in steps:
        value = parse(step.text)
        if isinstance(value, ParseFailure):
            if not _is_chain_rule(step.text, value, asked):
                return None
        elif count == 2 and not value.args:
            return None  # `W_h = ...`: a bare symbol names a quantity, the wrong one
        elif not agrees(value, final):
            broken = (number, step)  # the last step that disagrees is where the chain breaks
    if broken is not None:
        return Refuted(messages.step_breaks(broken[0]), broken[1].start)
    return final


def _is_chain_rule(step: str, failure: ParseFailure, asked: str | None) -> bool:
    if asked is None or failure.message != parse_messages.DERIVATIVE_UNKNOWN:
        return False
    found = [(_key(m["num"]), _key(m["den"])) for m in DERIVATIVE.finditer(step)]
    losses = {_key(loss) for loss in LOSSES}
    unknown = [den for num, den in found if num not in losses]
    return bool(unknown) and all(den == _key(asked) for den in unknown)


def _key(latex: str) -> str:
    # `\hat{x}_i`, `\hat x_i` and `\hat{x_i}` are one variable.
    return re.sub(r"[\s{}]", "", latex)


def asked_variable(targets: tuple[str, ...]) -> str | None:
    """What the field's derivative target is taken with respect to, when it is one."""
    for target in targets:
        match = DERIVATIVE.fullmatch(target.strip())
        if match is not None:
            return match["den"]
    return None
