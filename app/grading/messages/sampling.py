"""Every student-facing sentence of numeric-sampling grading.

Each one describes the student's own expression (its symbols, its subexpressions, the sample
point where it fails); none may contain the reference answer's value or form.
"""

from collections.abc import Mapping, Sequence

from app.grading.mathparse.vocabulary import Dim

# Evaluation
TOO_DEEP = "The expression is nested too deeply to evaluate."
SUM_TOO_LONG = "A sum runs over too many terms to evaluate."
TOO_LONG = "The expression takes too many steps to evaluate; simplify its sums."
INDEX_NOT_WHOLE = "An index or a sum limit is not a whole number."
INDEX_TOO_LARGE = "An index or a sum limit is far too large."
ONE_INDEX = "A symbol can take only one index here."
SIZES_DO_NOT_FIT = "The sizes of the vectors and matrices in the expression do not fit together."
MATRIX_POWER = "A matrix can only be raised to a whole-number power such as -1."
EXPONENT_NOT_SCALAR = "An exponent must be a number, not a vector or matrix."
SCALE_NOT_POSITIVE = "A scale factor of the whole answer must be positive."


def unknown_symbol(name: str) -> str:
    """A symbol the question gives no value for."""
    return f"Your expression contains a symbol ({name}) that this question does not allow."


def needs_index(name: str) -> str:
    """An indexed symbol written without its index."""
    return f"{name} needs an index here, as in {name}_j."


def takes_no_index(name: str) -> str:
    """An index on a symbol that has none."""
    return f"{name} does not take an index."


def unbound_index(name: str) -> str:
    """An index letter that no sum binds and that is not the answer's free index."""
    return f"The index {name} is neither bound by a sum nor the free index of this answer."


def missing_sum(index: str) -> str:
    """An index letter left where a sum belongs: the answer has no such free index."""
    return f"The index {index} is not bound by a sum: the sum over the batch is missing."


def not_the_free_index(index: str, free: str) -> str:
    """An unbound index letter that is not the question's own free index."""
    return (
        f"The index {index} is not bound by a sum, and the index this question asks about "
        f"is {free}."
    )


def scale_only(names: str) -> str:
    """A declared scale symbol used anywhere but as a factor of the whole answer."""
    return f"Here {names} may only scale the whole answer, as a positive factor."


def index_out_of_range(name: str, where: str) -> str:
    """An index that runs outside the batch."""
    return f"An index of {name} runs outside the batch {where}."


def unsupported(kind: str) -> str:
    """A node the evaluator does not know."""
    return f"Your expression uses an operation ({kind}) that this question does not support."


def scalar_function(name: str) -> str:
    """A scalar function applied to a vector or matrix."""
    return f"{name} applies to numbers, not to vectors or matrices."


# Shapes
def describe_dims(dims: Sequence[Dim]) -> str:
    """Render a shape as `m x 10`, `a vector of length 50` or `a number`."""
    if not dims:
        return "a number"
    if len(dims) == 1:
        return f"a vector of length {dims[0]}"
    return " x ".join(str(dim) for dim in dims)


def cannot_add(left: str, left_dims: Sequence[Dim], right: str, right_dims: Sequence[Dim]) -> str:
    """A sum of terms whose shapes differ."""
    return (
        f"Cannot add {left} ({describe_dims(left_dims)}) and {right} ({describe_dims(right_dims)})."
    )


def does_not_conform(
    left: str, left_dims: Sequence[Dim], right: str, right_dims: Sequence[Dim]
) -> str:
    """A product whose inner dimensions differ."""
    return (
        f"{left} ({describe_dims(left_dims)}) times {right} ({describe_dims(right_dims)}) "
        "does not conform."
    )


def not_square(operand: str, dims: Sequence[Dim]) -> str:
    """A power or inverse of a non-square matrix."""
    return f"{operand} ({describe_dims(dims)}) is not square, so it has no inverse or power."


def vector_power(operand: str) -> str:
    """A power of a vector."""
    return f"{operand} is a vector; a vector cannot be raised to a power."


def orientation(dims: Sequence[Dim]) -> str:
    """A result with the answer's dimensions in another order."""
    return f"Your result is {describe_dims(dims)}; check the orientation."


def wrong_shape(dims: Sequence[Dim]) -> str:
    """A result whose shape is not the answer's."""
    return f"Your result is {describe_dims(dims)}, which is not the size of the answer."


# Comparison
def where(point: Mapping[str, int], *, size_symbol: str | None) -> str:
    """Name a sample point by its batch size and free-index values, never by data values."""
    parts = [f"{name} = {value}" for name, value in point.items()]
    if not parts:
        return "at some of the sample points"
    if size_symbol is not None and size_symbol in point:
        rest = [part for part in parts if not part.startswith(f"{size_symbol} =")]
        batch = f"for a batch of {size_symbol} = {point[size_symbol]}"
        return f"{batch} with {', '.join(rest)}" if rest else batch
    return f"for {', '.join(parts)}"


def undefined(at: str) -> str:
    """The student's expression is infinite or not a number where the answer is finite."""
    return f"Your expression is undefined {at}."


def missing_free_index(index: str) -> str:
    """The answer varies with the free index, the student's expression cannot."""
    return f"Your expression does not depend on the free index {index}, but the answer does."


def extra_free_index(index: str) -> str:
    """The student's expression varies with an index the answer does not depend on."""
    return f"Your expression depends on the index {index}, but the answer does not."


def summed_free_index(index: str) -> str:
    """A sum that binds the letter of the answer's free index."""
    return (
        f"Your expression sums over {index}, but {index} is the free index of this answer; "
        "use another letter for the summation index."
    )


def differs(at: str) -> str:
    """The generic mismatch, pointing at one failing sample point."""
    return f"Your expression differs from the correct value, e.g. {at}."
