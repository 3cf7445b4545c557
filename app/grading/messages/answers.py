"""Every student-facing sentence of the shape, number, array, choice and edge-set answers,
and of worked expression answers (chains of `=` and named intermediates).

Hints describe the student's own answer; none of them may contain the reference value.
"""

from collections.abc import Sequence

from app.grading.limits import MAX_LIST_ITEMS, MAX_NESTING, MAX_NUMBER_DIGITS

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")

# Shared
TOO_DEEP = f"The brackets are nested too deeply (at most {MAX_NESTING} levels)."
UNBALANCED = "The brackets are not balanced."
TOO_MANY_ITEMS = f"The answer has too many entries (at most {MAX_LIST_ITEMS})."

# Shapes
NO_DIMENSIONS = "No dimensions found; separate dimensions with x, \\times or commas."
NOT_POSITIVE = "Dimensions must be positive whole numbers."
NOT_WHOLE = "Dimensions must be whole numbers, not decimals."
TOO_MANY_DIGITS = f"A number has too many digits (at most {MAX_NUMBER_DIGITS})."
MISSING_DIMENSION = "A dimension is missing between two separators."
MISSING_SEPARATOR = "Separate dimensions with x, \\times or commas."
WRONG_NDIM = "The number of dimensions is wrong."
WRONG_ORDER = "The dimensions are in the wrong order."

# Numbers
NOT_FINITE = "The value must be a finite number."
EMPTY_SIDE = "Nothing stands on one side of =."
WRONG_SIGN = "Your value has the wrong sign."
TOO_LARGE = "Your value is larger than expected."
TOO_SMALL = "Your value is smaller than expected."

# Arrays
VMATRIX = "vmatrix denotes a determinant; write the matrix with bmatrix or pmatrix."
UNKNOWN_ENVIRONMENT = "Only the bmatrix, pmatrix and matrix environments are understood."
NESTED_ENVIRONMENT = "A matrix environment cannot contain another one."
UNMATCHED_ENVIRONMENT = "Each \\begin{...} needs a matching \\end{...}."
BEFORE_EQUALS = "Only a name may stand before =, as in w = [...]."
EMPTY_ENTRY = "An entry is empty; check the commas and separators."
RAGGED = "The rows of the matrix have different lengths."
MIXED_ROWS = "Some items are bracketed rows and some are single entries."
TOO_NESTED_ARRAY = "Too many levels of brackets for a vector or matrix."
EXPECTED_VECTOR = "Expected a vector (one row or one column), not a matrix."
EXPECTED_MATRIX = "Expected a matrix."
REVERSED = "The entries are in reverse order."
TRANSPOSED = "This is the transpose of the expected matrix."
NEGATED = "Every entry has the wrong sign."
POWER_OF_ARRAY = "Only a transpose (^T) may follow the closing bracket of a vector or matrix."

# Choices
ONE_CHOICE = "Choose a single option."
ANOTHER_OPTION_NAMED = "Choose a single option; the words after your letter name another one."
NOTHING_TICKED = "No box is ticked; tick the box of a single option."

# Worked expressions
TOO_MANY_STEPS = "The working has too many steps joined by =; keep the last few."
TOO_MANY_STATEMENTS = "The answer has too many statements; give the expression and its definitions."
SIDES_SHAPES_DIFFER = "The two sides of your equation have different shapes."
RELATION_FAILS = "Your equation does not hold for the quantity asked for."
RELATION_LOOSE = "Your equation holds whatever the quantity asked for is; it does not determine it."

# Edge sets
NO_EDGES = "No edges found; write edges like A -> B, separated by commas."
NO_ARROW = "Each edge needs an arrow between two nodes, as in A -> B."
MISSING_NODE = "An arrow is missing a node on one side."
PAIR_SIZE = "A bracketed edge must name exactly two nodes, as in (A, B)."


def entry_failure(index: int, message: str) -> str:
    """Point at the entry (1-based) that could not be read."""
    return f"Entry {index}: {message}"


def unknown_dimensions(names: Sequence[str], known: Sequence[str]) -> str:
    """Name the student's unknown dimension symbols and list this problem's symbols."""
    listed = ", ".join(names)
    verb = "is not a dimension" if len(names) == 1 else "are not dimensions"
    if not known:
        return f"{listed} {verb} in this problem; its dimensions are whole numbers."
    return f"{listed} {verb} in this problem; it uses {', '.join(known)} for dimensions."


def unknown_name(name: str, names: Sequence[str]) -> str:
    """The student prefixed a name this field does not know; show its main name."""
    return f"{name} is not a name this field knows; write the shape alone, or {names[0]}: ..."


def wrong_dimensions(positions: Sequence[int]) -> str:
    """Say which 0-based dimensions are wrong, by ordinal."""
    words = [ORDINALS[i] if i < len(ORDINALS) else f"number {i + 1}" for i in positions]
    if len(words) == 1:
        return f"The {words[0]} dimension is wrong."
    return f"The {', '.join(words[:-1])} and {words[-1]} dimensions are wrong."


def wrong_length(count: int) -> str:
    """The student's vector has the wrong number of entries."""
    noun = "entry" if count == 1 else "entries"
    return f"Your vector has {count} {noun}; check the length."


def wrong_size(rows: int, columns: int) -> str:
    """The student's matrix has the wrong size."""
    return f"Your matrix is {rows} x {columns}; check its size."


def wrong_entries(wrong: int, total: int) -> str:
    """How many of the student's entries are wrong."""
    verb = "is" if wrong == 1 else "are"
    return f"{wrong} of {total} entries {verb} wrong."


def unknown_option(options: Sequence[str]) -> str:
    """The answer names no option; list the valid letters."""
    return f"Answer with one of the options {', '.join(options)}."


def ticked_several(labels: Sequence[str]) -> str:
    """More than one box is ticked; name what was ticked (the first few)."""
    shown = ", ".join(label or "an empty box" for label in labels[:3])
    more = ", …" if len(labels) > 3 else ""
    return f"{len(labels)} boxes are ticked ({shown}{more}); tick a single option."


def ticked_unknown(label: str, options: Sequence[str]) -> str:
    """The ticked box names no option; quote what stands beside it."""
    beside = f"reads '{label}'" if label else "has nothing beside it"
    return f"The ticked box {beside}; tick one of the options {', '.join(options)}."


def number_asked(asks: str | None) -> str:
    """A readable expression where a number is asked; say what the number is the value of."""
    asked = (asks or "").strip().rstrip(".?")
    what = f" ({asked[:1].lower()}{asked[1:]})" if asked else ""
    return f"This field asks for a number{what}; write its value without symbols."


def working_differs(side: str) -> str:
    """A side of a number's working does not equal its result, the value after the last =."""
    return f"Your working does not add up: '{side}' does not equal your result."


def step_breaks(step: int) -> str:
    """A chain of = breaks: step (1-based) does not equal the steps after it."""
    return f"Your working breaks after step {step}: it does not equal what follows it."


def unknown_node(text: str, nodes: Sequence[str]) -> str:
    """Name the student's unknown node and list the node names."""
    return f"{text} is not a node of this graph; the nodes are {', '.join(nodes)}."


def missing_edges(count: int, targets: Sequence[str]) -> str:
    """Required edges are missing; name the nodes that lack an input."""
    noun = "edge is" if count == 1 else "edges are"
    lacking = ", ".join(targets)
    return f"{count} required {noun} missing ({lacking} {_lacks(len(targets))})."


def _lacks(count: int) -> str:
    return "is missing an input" if count == 1 else "are missing inputs"


def extra_edge(source: str, target: str, count: int) -> str:
    """The student's edge is not part of the computation; say how many such edges there are."""
    more = "" if count == 1 else f" ({count} edges are not part of it)"
    return f"{source} -> {target} is not part of the computation{more}."


def reversed_edge(source: str, target: str) -> str:
    """The student's edge points against the flow of the computation."""
    return f"{source} -> {target} points the wrong way."
