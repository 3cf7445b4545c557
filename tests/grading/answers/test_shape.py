import pytest

from app.grading.answers.shape import ShapeAnswer
from app.grading.failures import ParseFailure
from app.grading.messages import answers as messages
from tests.grading.answers.hostile import HOSTILE, assert_refused_quickly

ANSWER = ShapeAnswer(dims={"m": ["m"]}, names=["X", "W_h", "b_h"])
M_BY_10 = ("m", 10)


@pytest.mark.parametrize(
    "raw",
    [
        "m x 10",
        "mx10",
        "m X 10",
        r"m \times 10",
        "m*10",
        "m × 10",
        "(m, 10)",
        "[m, 10]",
        "(m,10)",
        "m, 10",
        r"\mathbb{R}^{m \times 10}",
        "R^{m x 10}",
        r"\mathbb R^{m\times 10}",
        r"\R^{m \times 10}",
        "ℝ^{m×10}",
        r"X \in \mathbb{R}^{m\times 10}",
        r"X \in \mathbb{R}^{m \times 10}",
        "X ∈ ℝ^{m×10}",
        "X = (m, 10)",
        "X: m x 10",
        r"\{m, 10\}",
        r"\left(m, 10\right)",
        r"m \, \times \, 10",
        r"m\;\times\;10",
        r"$m \times 10$",
        "  m  x  10  ",
        "m x 010",
    ],
)
def test_accepted_spellings_of_m_by_10(raw: str) -> None:
    assert ANSWER.parse(raw) == M_BY_10


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("50", (50,)),
        ("[50]", (50,)),
        ("(50,)", (50,)),
        (r"\mathbb{R}^{50}", (50,)),
        ("R^50", (50,)),
        ("1 x 50", (1, 50)),
        ("b_h: 1 x 50", (1, 50)),
        (r"W_{h} \in \mathbb{R}^{10 \times 50}", (10, 50)),
        ("W_h: 10x50", (10, 50)),
        ("3 x 4 x 5", (3, 4, 5)),
        ("(m, 10, 3)", ("m", 10, 3)),
    ],
)
def test_other_shapes(raw: str, expected: tuple[int | str, ...]) -> None:
    assert ANSWER.parse(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0 x 10", messages.NOT_POSITIVE),
        ("m x 0", messages.NOT_POSITIVE),
        ("-3 x 10", messages.NOT_POSITIVE),
        ("m x -10", messages.NOT_POSITIVE),
        ("2.5 x 3", messages.NOT_WHOLE),
        ("m x", messages.MISSING_DIMENSION),
        ("x 10", messages.MISSING_DIMENSION),
        ("m x x 10", messages.MISSING_DIMENSION),
        ("m 10", messages.MISSING_SEPARATOR),
        ("1" * 61 + " x 2", messages.TOO_MANY_DIGITS),
        ("()", messages.NO_DIMENSIONS),
        ("(m, 10", messages.UNBALANCED),
    ],
)
def test_malformed_shapes_are_refused(raw: str, message: str) -> None:
    result = ANSWER.parse(raw)
    assert isinstance(result, ParseFailure)
    assert result.message == message


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ("k x 10", ["k"]),
        ("n x d", ["n", "d"]),
        (r"m \times \delta", [r"\delta"]),
        ("mm x 3", ["mm"]),
    ],
)
def test_unknown_dimension_is_named_with_the_known_ones(raw: str, named: list[str]) -> None:
    result = ANSWER.parse(raw)
    assert isinstance(result, ParseFailure)
    assert result.message == messages.unknown_dimensions(named, ["m"])
    assert result.position == raw.index(named[0])


def test_without_symbolic_dimensions_letters_are_refused() -> None:
    result = ShapeAnswer(dims={}).parse("m x 10")
    assert isinstance(result, ParseFailure)
    assert "whole numbers" in result.message


@pytest.mark.parametrize("raw", [r"Q \in \mathbb{R}^{m \times 10}", "W_o: 10 x 3"])
def test_unknown_matrix_name_is_refused(raw: str) -> None:
    result = ANSWER.parse(raw)
    assert isinstance(result, ParseFailure)
    assert result.message.startswith(raw.split()[0].rstrip(":"))


def test_any_name_is_stripped_when_the_field_lists_none() -> None:
    assert ShapeAnswer(dims={"m": ["m"]}).parse("Y = (m, 3)") == ("m", 3)


def test_spellings_map_to_the_canonical_dimension() -> None:
    answer = ShapeAnswer(dims={"n": ["n", "N", r"n_{\text{batch}}"]})
    assert answer.parse(r"N \times 3") == ("n", 3)
    assert answer.parse(r"n_{\text{batch}} x 3") == ("n", 3)


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_answers_are_refused_quickly(raw: str) -> None:
    assert_refused_quickly(ANSWER, raw)


@pytest.mark.parametrize(
    ("value", "expected", "hint"),
    [
        (("m", 10), ("m", 10), None),
        ((10, "m"), ("m", 10), messages.WRONG_ORDER),
        (("m", 50), ("m", 10), messages.wrong_dimensions([1])),
        ((3, 9, 8), (3, 4, 5), messages.wrong_dimensions([1, 2])),
        ((7, 4), (3, 4), "The first dimension is wrong."),
        (("m",), ("m", 10), messages.WRONG_NDIM),
        ((50,), (1, 50), messages.WRONG_NDIM),
    ],
)
def test_compare_hints(
    value: tuple[int | str, ...], expected: tuple[int | str, ...], hint: str | None
) -> None:
    result = ANSWER.compare(value, expected)
    assert result.matches is (hint is None)
    assert result.hint == hint
    for dim in set(expected) - set(value):
        assert str(dim) not in (result.hint or "")


@pytest.mark.parametrize(("value", "expected"), [((50,), (1, 50)), ((1, 50), (50,))])
def test_row_vector_equals_vector_when_allowed(
    value: tuple[int, ...], expected: tuple[int, ...]
) -> None:
    answer = ShapeAnswer(dims={}, row_vector_ok=True)
    assert answer.compare(value, expected).matches
    assert not answer.compare((50,), (50, 1)).matches


@pytest.mark.parametrize("value", [("m", 10), (50,), (1, 50), (3, 4, 5)])
def test_latex_reads_back_as_the_same_shape(value: tuple[int | str, ...]) -> None:
    assert ANSWER.parse(ANSWER.latex(value)) == value


def test_latex_uses_times() -> None:
    assert ANSWER.latex(("m", 10)) == r"m \times 10"


def test_unknown_name_message_lists_each_matrix_once() -> None:
    answer = ShapeAnswer(dims={}, names=["W_h", "W_{h}", "b_h"])
    assert answer.parse("W_{h}: 10 x 50") == (10, 50)
    result = answer.parse("W_o: 10 x 50")
    assert isinstance(result, ParseFailure)
    assert result.message == messages.unknown_name("W_o", ["W_h", "b_h"])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("m by 10", M_BY_10),
        ("m-by-10", M_BY_10),
        ("m - by - 10", M_BY_10),
        ("ℝᵐˣ¹⁰", M_BY_10),
        ("X ∈ ℝᵐˣ¹⁰", M_BY_10),
        ("ℝ⁽ᵐˣ¹⁰⁾", M_BY_10),
        ("ℝ⁵⁰", (50,)),
        (r"\mathbb{R}³", (3,)),
        ("b_h ∈ ℝ⁵⁰", (50,)),
        ("X.shape = (m, 10)", M_BY_10),
    ],
)
def test_words_superscripts_and_attribute_names(raw: str, expected: tuple[int | str, ...]) -> None:
    assert ANSWER.parse(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("by 10", messages.MISSING_DIMENSION),
        ("m by", messages.MISSING_DIMENSION),
        ("m bye 10", messages.unknown_dimensions(["bye"], ["m"])),
        ("mby10", messages.unknown_dimensions(["mby"], ["m"])),
        ("ℝ⁵ x 10", messages.unknown_dimensions(["ℝ", "⁵"], ["m"])),
        ("Y.shape = (m, 10)", messages.unknown_name("Y.shape", ["X"])),
    ],
)
def test_words_and_superscripts_refused_out_of_place(raw: str, message: str) -> None:
    result = ANSWER.parse(raw)
    assert isinstance(result, ParseFailure)
    assert result.message == message
