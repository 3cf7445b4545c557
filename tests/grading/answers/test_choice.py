import pytest

from app.grading.answers.choice import ChoiceAnswer
from app.grading.failures import ParseFailure, Refuted
from app.grading.messages import answers as messages
from tests.grading.answers.hostile import HOSTILE, assert_refused_quickly

ANSWER = ChoiceAnswer(
    options=["A", "B", "C"],
    labels={"A": ["batch norm", "batchnorm", "BN"], "B": ["layer norm"], "C": ["instance norm"]},
)


@pytest.mark.parametrize(
    "raw",
    [
        "A",
        "a",
        "(A)",
        "A)",
        "A.",
        "option A",
        "Option a",
        r"\text{A}",
        r"\textbf{A}",
        r"$\text{A}$",
        "answer: A",
        "Answer: (A)",
        "The answer is A.",
        "batch norm",
        "Batch Norm",
        "batch  norm",
        "BATCHNORM",
        "batch-norm",
        "BN",
        r"\text{batch norm}",
        " a ",
        "Ａ",
        "A (batch norm)",
        "A - groups over N, H, W",
        "A: N, H, W",
        "(a) the batch statistics",
        "a) batch norm",
        "grouping A",
        "Figure A",
        "The answer is A because it averages over the batch.",
    ],
)
def test_accepted_spellings_of_option_a(raw: str) -> None:
    assert ANSWER.parse(raw) == "A"


@pytest.mark.parametrize(("raw", "option"), [("B", "B"), ("layer norm", "B"), ("(c)", "C")])
def test_other_options(raw: str, option: str) -> None:
    assert ANSWER.parse(raw) == option


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("D", messages.unknown_option(["A", "B", "C"])),
        ("group norm", messages.unknown_option(["A", "B", "C"])),
        ("answer:", messages.unknown_option(["A", "B", "C"])),
        ("A, B", messages.ONE_CHOICE),
        ("A and B", messages.ANOTHER_OPTION_NAMED),
        ("AB", messages.ONE_CHOICE),
        ("A or B", messages.ANOTHER_OPTION_NAMED),
        ("B: normalizes over C, H, W", messages.ANOTHER_OPTION_NAMED),
        ("(a) not (b)", messages.ANOTHER_OPTION_NAMED),
        ("a batch norm layer", messages.unknown_option(["A", "B", "C"])),
        ("A?", messages.unknown_option(["A", "B", "C"])),
        ("not B", messages.unknown_option(["A", "B", "C"])),
        ("Α", messages.unknown_option(["A", "B", "C"])),
    ],
)
def test_unknown_options_are_refused_with_the_valid_letters(raw: str, message: str) -> None:
    result = ANSWER.parse(raw)
    assert isinstance(result, ParseFailure)
    assert result.message == message


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_answers_are_refused_quickly(raw: str) -> None:
    assert_refused_quickly(ANSWER, raw)


@pytest.mark.parametrize(("value", "expected", "matches"), [("A", "A", True), ("B", "A", False)])
def test_compare_is_equality(value: str, expected: str, matches: bool) -> None:
    result = ANSWER.compare(value, expected)
    assert result.matches is matches
    assert result.hint is None


@pytest.mark.parametrize("option", ["A", "B", "C"])
def test_latex_reads_back_as_the_same_option(option: str) -> None:
    assert ANSWER.latex(option) == rf"\text{{{option}}}"
    assert ANSWER.parse(ANSWER.latex(option)) == option


# The sheet's own boxes, ticked the ways a filled-in sheet shows them.
@pytest.mark.parametrize(
    ("raw", "option"),
    [
        ("☒ A", "A"),
        ("☐ A ☒ B ☐ C", "B"),
        ("☐ A\n☐ B\n☑ C", "C"),
        ("✓ B", "B"),
        ("✔ (c) instance norm", "C"),
        ("[x] A [ ] B [ ] C", "A"),
        ("[ ] A [X] B [ ] C", "B"),
        ("[ ] A [ ] B [✓] C", "C"),
        ("Answer: ☐ A ☒ layer norm ☐ C", "B"),
    ],
)
def test_a_ticked_box_is_the_option_beside_it(raw: str, option: str) -> None:
    assert ANSWER.parse(raw) == option


@pytest.mark.parametrize(
    ("raw", "message", "refuted"),
    [
        ("☒ A ☒ B ☐ C", messages.ticked_several(["A", "B"]), False),
        ("[x] A [x] C", messages.ticked_several(["A", "C"]), False),
        ("☐ A ☐ B ☐ C", messages.NOTHING_TICKED, False),
        # A box is ticked and read, but it is no option: refuted, not unreadable.
        ("☒ Z", messages.ticked_unknown("Z", ["A", "B", "C"]), True),
        ("☒ group norm ☐ A", messages.ticked_unknown("group norm", ["A", "B", "C"]), True),
        ("☒", messages.ticked_unknown("", ["A", "B", "C"]), True),
        ("☒ A or B", messages.ANOTHER_OPTION_NAMED, False),
        ("☒ " + "x" * 1_000, messages.ticked_unknown("x" * 29 + "…", ["A", "B", "C"]), True),
        ("☒ " * 600, "600 boxes are ticked (an empty box, an empty box, an empty box, …)", False),
    ],
)
def test_ticked_boxes_that_name_no_single_option_are_refused(
    raw: str, message: str, refuted: bool
) -> None:
    result = ANSWER.parse(raw)
    assert isinstance(result, ParseFailure)
    assert isinstance(result, Refuted) == refuted
    assert message in result.message
