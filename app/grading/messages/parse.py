"""Every student-facing message of the math parser, in one place.

Each says why the parser cannot read the answer, as one sentence in the engine's voice:
"The answer cannot be read: <why>." The first stage's refusals (empty, too long, hidden
characters) are said by that stage alone. None of them mentions a reference answer.
"""

import ast
from typing import Final

from app.grading import limits


def unreadable(why: str) -> str:
    """The sentence that says why an answer cannot be read."""
    return f"The answer cannot be read: {why}."


TOO_DEEP: Final = unreadable("brackets or operations are nested too deeply")
TOO_COMPLEX: Final = unreadable("the expression is too long or complicated")
NUMBER_TOO_LONG: Final = unreadable(f"a number has more than {limits.MAX_NUMBER_DIGITS} digits")
TOO_LARGE: Final = unreadable("a number or power is too large or too small to work with")
ZERO_TO_ZERO: Final = unreadable("0 to the power 0 is undefined")
EXPONENT_TOO_LARGE: Final = unreadable(
    f"exponents larger than {limits.MAX_EXPONENT} are not accepted"
)
DIVISION_BY_ZERO: Final = unreadable("it divides by zero")
NOT_REAL: Final = unreadable("its value is not a real number")
NOT_A_NUMBER: Final = unreadable("it should be a number")
THOUSANDS: Final = unreadable(
    "commas and spaces may only separate groups of three digits; write decimals with a point"
)
ENDS_EARLY: Final = unreadable("it ends too early")
EQUALS_TWICE: Final = unreadable("only one '=' is allowed, after the name of the quantity")
NOT_A_TARGET: Final = unreadable(
    "the left side of '=' is not the quantity asked for; write only the expression"
)
MAX_FORM: Final = unreadable(r"max is only understood as max(0, ...) (the ReLU)")
ROOT_INDEX: Final = unreadable("only square roots are supported")
SUM_INDEX: Final = unreadable(r"write the sum's index, as in \sum_{j=1}^{m}")
SUM_LIMITS: Final = unreadable(r"write both limits of the sum, as in \sum_{j=1}^{m}")
BAD_INDEX: Final = unreadable(
    "an index must be a letter, a whole number, or a letter plus or minus a number"
)
SUM_EXCLUSION: Final = unreadable(r"leave a term out of a sum as in \sum_{j=1, j \neq i}^{m}")
KRONECKER_FORM: Final = unreadable(
    r"write the Kronecker delta with its two indices, as in \delta_{ij}"
)
DERIVATIVE_UNKNOWN: Final = unreadable(
    "this derivative is not one of the quantities that may be used here"
)
SUM_DOTS: Final = unreadable(r"write a sum with \sum_{j=1}^{m}, not with dots")
MATRIX_DIVISION: Final = unreadable(
    "dividing a matrix by a matrix is ambiguous; multiply by the inverse (M^{-1}) on the side "
    "where it belongs"
)
FUNCTION_BRACKETS: Final = unreadable("write the argument of {name} in brackets, as in {name}(x)")


def unexpected_character(char: str) -> str:
    """A character the parser does not read at all."""
    return unreadable(f"the character {char!r} cannot be used in an answer")


def unexpected(text: str) -> str:
    """A token that does not fit where it stands."""
    return unreadable(f"'{text}' is not expected here")


def unmatched(bracket: str) -> str:
    """An opening or closing bracket without its partner."""
    return unreadable(f"this '{bracket}' has no matching bracket")


def unknown_symbol(name: str) -> str:
    """A name that is not among the field's symbols."""
    return unreadable(f"unknown symbol '{name}'")


def unknown_command(name: str) -> str:
    """A backslash command the parser does not know."""
    return unreadable(f"unknown command '{name}'")


def unknown_function(name: str) -> str:
    """A name used like a function that is not an allowed function."""
    return unreadable(f"unknown function '{name}'")


def needs_index(name: str) -> str:
    """An indexed symbol written without its index."""
    return unreadable(f"{name} needs an index, as in {name}_i")


def takes_no_index(name: str) -> str:
    """An index on a symbol that has none."""
    return unreadable(f"{name} does not take an index")


def index_is_symbol(name: str) -> str:
    """A sum index that clashes with a symbol of the question."""
    return unreadable(f"{name} is already a symbol here; use another letter as the sum's index")


def needs_argument(name: str) -> str:
    """A function name used without its argument."""
    return unreadable(f"{name} needs an argument, as in {name}(x)")


def not_allowed(kind: str) -> str:
    """A construct of the expression language that answers may not use."""
    return unreadable(f"{kind} cannot be used in an answer")


_VALUE: Final = "this kind of value"
OPERATOR_NOT_ALLOWED: Final = not_allowed("this operator")
CALL_NOT_ALLOWED: Final = not_allowed("this kind of call")
INDEXING_NOT_ALLOWED: Final = not_allowed("indexing anything but a symbol")
VALUE_NOT_ALLOWED: Final = not_allowed(_VALUE)
CONSTRUCTS: Final[dict[type[ast.AST], str]] = {
    ast.Attribute: "attribute access with '.'",
    ast.Lambda: "lambda",
    ast.Compare: "comparisons",
    ast.BoolOp: "'and' and 'or'",
    ast.IfExp: "conditional expressions",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.JoinedStr: "formatted strings",
    ast.Slice: "slices",
    ast.Tuple: "tuples",
    ast.List: "lists",
    ast.Dict: "dictionaries",
    ast.Set: "sets",
    ast.Starred: "'*' unpacking",
    ast.NamedExpr: "':='",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}
"""How a message names each construct of Python's syntax that answers may not use."""

UNPACKING_NOT_ALLOWED: Final = not_allowed(CONSTRUCTS[ast.Starred])


def construct_not_allowed(node: ast.AST) -> str:
    """A node of the plain syntax that answers may not use, named as a student would."""
    return not_allowed(_construct(node))


def _construct(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
        return "text in quotes"
    if isinstance(node, ast.Constant):
        return _VALUE
    return CONSTRUCTS.get(type(node), type(node).__name__)
