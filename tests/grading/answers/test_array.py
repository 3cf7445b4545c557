from fractions import Fraction

import numpy as np
import pytest

from app.grading.answers.array import ArrayAnswer
from app.grading.failures import ParseFailure
from app.grading.mathparse import parse_constant
from app.grading.messages import answers as messages
from tests.grading.answers.hostile import HOSTILE, assert_refused_quickly

VECTOR = ArrayAnswer(ndim=1)
MATRIX = ArrayAnswer(ndim=2)
ONE_TWO_THREE = (Fraction(1), Fraction(2), Fraction(3))
SQUARE = ((Fraction(1), Fraction(2)), (Fraction(3), Fraction(4)))


@pytest.mark.parametrize(
    "raw",
    [
        "[1, 2, 3]",
        "(1, 2, 3)",
        "1, 2, 3",
        "1 2 3",
        "[1 2 3]",
        "[1; 2; 3]",
        "[[1, 2, 3]]",
        "[[1], [2], [3]]",
        r"\begin{bmatrix} 1 \\ 2 \\ 3 \end{bmatrix}",
        r"\begin{bmatrix} 1 & 2 & 3 \end{bmatrix}",
        r"\begin{bmatrix} 1 \\ 2 \\ 3 \\ \end{bmatrix}",
        r"\begin{pmatrix} 1 \\ 2 \\ 3 \end{pmatrix}",
        r"\begin{matrix} 1 & 2 & 3 \end{matrix}",
        r"\left[ 1, 2, 3 \right]",
        r"\left[\begin{matrix} 1 \\ 2 \\ 3 \end{matrix}\right]",
        "w = [1, 2, 3]",
        "w^* = [1, 2, 3]",
        r"\mathbf{w}^* = \begin{bmatrix} 1 \\ 2 \\ 3 \end{bmatrix}",
        "$[1,2,3]$",
        "[1,\\, 2,\\, 3]",
        "[1 + 0, 2, 3]",
        "[1 + 0 2 3]",
        "[4 - 3 2 3]",
    ],
)
def test_accepted_spellings_of_a_vector(raw: str) -> None:
    assert VECTOR.parse(raw) == ONE_TWO_THREE


@pytest.mark.parametrize(
    "raw",
    [
        "[[1, 2], [3, 4]]",
        "[[1,2],[3,4]]",
        "[1 2; 3 4]",
        "[1, 2; 3, 4]",
        "((1, 2), (3, 4))",
        r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}",
        r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}",
        r"\begin{matrix} 1 & 2 \\ 3 & 4 \end{matrix}",
        r"\left[\begin{array}{cc} 1 & 2 \\ 3 & 4 \end{array}\right]",
        r"Y = \begin{bmatrix}1&2\\3&4\end{bmatrix}",
    ],
)
def test_accepted_spellings_of_a_matrix(raw: str) -> None:
    assert MATRIX.parse(raw) == SQUARE


@pytest.mark.parametrize(
    ("raw", "entries"),
    [
        (
            r"[110/101, \frac{11}{30}, -2, 1.5e-3, \sqrt{2}]",
            ["110/101", r"\frac{11}{30}", "-2", "1.5e-3", r"\sqrt{2}"],
        ),
        ("[1 -2 3]", ["1", "-2", "3"]),
        ("[1 - 2 3]", ["1 - 2", "3"]),
        (r"[\frac {1}{2} 3]", [r"\frac {1}{2}", "3"]),
        (r"[2 \cdot 3 4]", [r"2 \cdot 3", "4"]),
        ("[(1 + 2) 3]", ["(1 + 2)", "3"]),
    ],
)
def test_entries_are_evaluated_as_constants(raw: str, entries: list[str]) -> None:
    assert VECTOR.parse(raw) == tuple(parse_constant(entry) for entry in entries)


def test_a_column_is_a_matrix_when_ndim_is_two() -> None:
    assert MATRIX.parse("[1; 2]") == ((Fraction(1),), (Fraction(2),))
    assert MATRIX.parse("[1, 2]") == ((Fraction(1), Fraction(2)),)


@pytest.mark.parametrize(
    ("answer", "raw", "message"),
    [
        (MATRIX, "[[1, 2], [3]]", messages.RAGGED),
        (MATRIX, "[1 2; 3]", messages.RAGGED),
        (VECTOR, "[[1, 2], [3]]", messages.RAGGED),
        (MATRIX, "[[1, 2], 3]", messages.MIXED_ROWS),
        (MATRIX, "[[[1, 2]], [[3, 4]]]", messages.TOO_NESTED_ARRAY),
        (VECTOR, "[[1, 2], [3, 4]]", messages.EXPECTED_VECTOR),
        (MATRIX, r"\begin{vmatrix} 1 & 2 \\ 3 & 4 \end{vmatrix}", messages.VMATRIX),
        (MATRIX, r"\begin{cases} 1 \end{cases}", messages.UNKNOWN_ENVIRONMENT),
        (MATRIX, r"\begin{bmatrix} 1 & 2", messages.UNMATCHED_ENVIRONMENT),
        (MATRIX, r"\begin{bmatrix} 1 \end{pmatrix}", messages.UNMATCHED_ENVIRONMENT),
        (MATRIX, r"1 \end{bmatrix}", messages.UNMATCHED_ENVIRONMENT),
        (
            MATRIX,
            r"\begin{bmatrix}\begin{bmatrix}1\end{bmatrix}\end{bmatrix}",
            messages.NESTED_ENVIRONMENT,
        ),
        (VECTOR, "1 + 2 = [3]", messages.BEFORE_EQUALS),
        (VECTOR, "[1,,2]", messages.EMPTY_ENTRY),
        (VECTOR, "[1, 2,]", messages.EMPTY_ENTRY),
        (VECTOR, "[]", messages.EMPTY_ENTRY),
        (VECTOR, "[" + ", ".join(["1"] * 401) + "]", messages.TOO_MANY_ITEMS),
    ],
)
def test_malformed_arrays_are_refused(answer: ArrayAnswer, raw: str, message: str) -> None:
    result = answer.parse(raw)
    assert isinstance(result, ParseFailure)
    assert result.message == message


@pytest.mark.parametrize(
    ("raw", "index", "start"), [("[1, foo, 3]", 2, 4), ("[1 2 __import__('os')]", 3, 5)]
)
def test_a_bad_entry_is_pointed_at(raw: str, index: int, start: int) -> None:
    result = VECTOR.parse(raw)
    assert isinstance(result, ParseFailure)
    assert result.message.startswith(f"Entry {index}: ")
    assert result.position is not None and start <= result.position < len(raw) - 1


@pytest.mark.parametrize("raw", HOSTILE)
@pytest.mark.parametrize("answer", [VECTOR, MATRIX], ids=["vector", "matrix"])
def test_hostile_answers_are_refused_quickly(answer: ArrayAnswer, raw: str) -> None:
    assert_refused_quickly(answer, raw)


def test_ndim_must_be_one_or_two() -> None:
    with pytest.raises(ValueError):
        ArrayAnswer(ndim=3)


@pytest.mark.parametrize(
    ("answer", "value", "expected", "hint"),
    [
        (VECTOR, ONE_TWO_THREE, ONE_TWO_THREE, None),
        (VECTOR, ONE_TWO_THREE, np.array([1.0, 2.0, 3.0]), None),
        (VECTOR, (Fraction(1, 3),), np.array([1 / 3]), None),
        (VECTOR, (1.0 + 1e-12, 2.0), (1, 2), None),
        (
            VECTOR,
            (Fraction(1), Fraction(2), Fraction(4)),
            ONE_TWO_THREE,
            messages.wrong_entries(1, 3),
        ),
        (
            VECTOR,
            (Fraction(5), Fraction(2), Fraction(4)),
            ONE_TWO_THREE,
            messages.wrong_entries(2, 3),
        ),
        (VECTOR, ONE_TWO_THREE[::-1], ONE_TWO_THREE, messages.REVERSED),
        (VECTOR, tuple(-x for x in ONE_TWO_THREE), ONE_TWO_THREE, messages.NEGATED),
        (VECTOR, (*ONE_TWO_THREE, Fraction(4)), ONE_TWO_THREE, messages.wrong_length(4)),
        (MATRIX, SQUARE, SQUARE, None),
        (MATRIX, SQUARE, np.array([[1, 2], [3, 4]]), None),
        (MATRIX, tuple(zip(*SQUARE, strict=True)), SQUARE, messages.TRANSPOSED),
        (MATRIX, ((Fraction(1),), (Fraction(2),)), ((1, 2),), messages.TRANSPOSED),
        (
            MATRIX,
            ((Fraction(4), Fraction(3)), (Fraction(2), Fraction(1))),
            SQUARE,
            messages.REVERSED,
        ),
        (MATRIX, (SQUARE[0],), SQUARE, messages.wrong_size(1, 2)),
        (
            MATRIX,
            ((Fraction(1), Fraction(2)), (Fraction(3), Fraction(5))),
            SQUARE,
            messages.wrong_entries(1, 4),
        ),
    ],
)
def test_compare_hints(answer: ArrayAnswer, value: object, expected: object, hint: str) -> None:
    result = answer.compare(value, expected)  # type: ignore[arg-type]
    assert result.matches is (hint is None)
    assert result.hint == hint


def test_exact_entries_with_zero_tolerance_compare_exactly() -> None:
    exact = ArrayAnswer(ndim=1, rtol=0.0, atol=0.0)
    assert exact.compare((Fraction(1, 3),), (Fraction(1, 3),)).matches
    assert not exact.compare((Fraction(1, 3),), (Fraction(333_333_333, 1_000_000_000),)).matches


def test_filter_recovered_by_correlation_matches_and_its_flip_is_reversed() -> None:
    signal, output = np.array([1, 4, 0, -2, 3]), np.array([-2, 2, 11])
    windows = np.lib.stride_tricks.sliding_window_view(signal, 3)
    solution = np.linalg.solve(windows.astype(float), output.astype(float))
    typed = VECTOR.parse("[" + ", ".join(str(round(w, 6)) for w in solution) + "]")
    assert VECTOR.compare(typed, solution).matches  # type: ignore[arg-type]
    flipped = VECTOR.parse("[" + ", ".join(str(round(w, 6)) for w in solution[::-1]) + "]")
    assert VECTOR.compare(flipped, solution).hint == messages.REVERSED  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        (VECTOR, ONE_TWO_THREE),
        (VECTOR, (Fraction(-11, 30), Fraction(110, 101))),
        (MATRIX, SQUARE),
        (MATRIX, ((Fraction(1, 2), Fraction(-3)),)),
    ],
)
def test_latex_reads_back_as_the_same_array(answer: ArrayAnswer, value: object) -> None:
    latex = answer.latex(value)  # type: ignore[arg-type]
    assert latex.startswith(r"\begin{bmatrix}")
    assert answer.parse(latex) == value


TRANSPOSED = ((Fraction(1), Fraction(3)), (Fraction(2), Fraction(4)))


@pytest.mark.parametrize(
    ("answer", "raw", "expected"),
    [
        (VECTOR, "[1, 2, 3]^T", ONE_TWO_THREE),
        (VECTOR, r"[1, 2, 3]^{\top}", ONE_TWO_THREE),
        (VECTOR, "(1, 2, 3)'", ONE_TWO_THREE),
        (VECTOR, "[1, 2, 3]ᵀ", ONE_TWO_THREE),
        (VECTOR, r"\begin{bmatrix} 1 & 2 & 3 \end{bmatrix}^T", ONE_TWO_THREE),
        (MATRIX, "[[1, 3], [2, 4]]^T", SQUARE),
        (MATRIX, r"\begin{bmatrix} 1 & 3 \\ 2 & 4 \end{bmatrix}^\intercal", SQUARE),
        (MATRIX, "np.array([[1, 3], [2, 4]]).T", SQUARE),
        (MATRIX, "np.array([[1, 2], [3, 4]]).T", TRANSPOSED),
        (MATRIX, "np.array([[1, 2], [3, 4]].T).T", SQUARE),
        (VECTOR, "np.array([1, 2, 3])", ONE_TWO_THREE),
        (VECTOR, "numpy.asarray([1., 2., 3.])", ONE_TWO_THREE),
        (VECTOR, "torch.tensor([1., 2., 3.], dtype=torch.float64)", ONE_TWO_THREE),
        (MATRIX, "tensor([[1., 2.],\n        [3., 4.]], requires_grad=True)", SQUARE),
        (MATRIX, "array([[1, 2],\n       [3, 4]])", SQUARE),
        (MATRIX, "[[1 2]\n [3 4]]", SQUARE),
        (MATRIX, "1 2\n3 4", SQUARE),
        (MATRIX, "[1, 2\n 3, 4]", SQUARE),
        (MATRIX, "{{1, 2}, {3, 4}}", SQUARE),
        (VECTOR, "{1, 2, 3}", ONE_TWO_THREE),
        (VECTOR, r"\{1, 2, 3\}", ONE_TWO_THREE),
        (VECTOR, "1\n2\n3", ONE_TWO_THREE),
        (VECTOR, "w = tensor([1, 2, 3])", ONE_TWO_THREE),
        (VECTOR, r"\frac{1}{2}[2, 4, 6]", ONE_TWO_THREE),
        (VECTOR, r"\frac{1}{2} \cdot \begin{bmatrix} 2 \\ 4 \\ 6 \end{bmatrix}", ONE_TWO_THREE),
        (VECTOR, "0.5 * (2, 4, 6)^T", ONE_TWO_THREE),
        (MATRIX, "2 [[0.5, 1], [1.5, 2]]", SQUARE),
        (VECTOR, "(1 + 0)^2, 2, 3", ONE_TWO_THREE),
    ],
)
def test_transposes_calls_factors_and_rows_on_lines(
    answer: ArrayAnswer, raw: str, expected: object
) -> None:
    assert answer.parse(raw) == expected


@pytest.mark.parametrize(
    ("answer", "raw", "message"),
    [
        (VECTOR, "[1, 2, 3]^2", messages.POWER_OF_ARRAY),
        (VECTOR, "[1, 2, 3]^{-1}", messages.POWER_OF_ARRAY),
        (MATRIX, "[[1, 2], [3, 4]]^{T}^2", messages.POWER_OF_ARRAY),
        (VECTOR, "x [1, 2, 3]", messages.MIXED_ROWS),
        (VECTOR, "1/0 [1, 2, 3]", messages.MIXED_ROWS),
        (VECTOR, "os.system([1, 2, 3])", None),
        (VECTOR, "np.array([1, 2, 3], __import__('os'))", None),
        (MATRIX, "[[1, 2],\n [3, 4]", messages.UNBALANCED),
    ],
)
def test_what_surrounds_an_array_is_refused_out_of_place(
    answer: ArrayAnswer, raw: str, message: str | None
) -> None:
    result = answer.parse(raw)
    assert isinstance(result, ParseFailure), result
    assert message is None or result.message == message
