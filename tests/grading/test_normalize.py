"""The first stage: wrappers stripped, hostile characters and sizes refused."""

import pytest

from app.grading.failures import ParseFailure
from app.grading.limits import MAX_ANSWER_CHARS
from app.grading.mathparse.core import Reject
from app.grading.mathparse.normalize import normalize as parse_normalize
from app.grading.messages import engine as messages
from app.grading.normalize import normalize


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("  m x 10 ", "m x 10"),
        ("$m \\times 10$", "m \\times 10"),
        ("$$\\gamma$$", "\\gamma"),
        ("\\(a + b\\)", "a + b"),
        ("\\[a\\]", "a"),
        ("$a$ + $b$", "a + b"),
        ("[1 2\n3 4]", "[1 2\n3 4]"),
        # one rule for every delimiter, wherever it stands
        ("\\(a\\) + \\(b\\)", "a + b"),
        ("$\\(x\\)$", "x"),
        ("\\(\\(x\\)\\)", "x"),
        ("\\[x\\].", "x."),
        ("we get $m$ here", "we get m here"),
        # a row break before a bracket and an escaped dollar are no delimiters
        ("[1 \\\\ (2)]", "[1 \\\\ (2)]"),
        ("\\$5", "\\$5"),
    ],
)
def test_accepted(raw: str, text: str) -> None:
    assert normalize(raw) == text


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "$$",
        "$x",
        "$$x$",
        "\\(x",
        "x\\)",
        "\\(x\\]",
        "\\[x\\)",
        "\\(",
        "\\(\\)$$\\[\\]",
        "x" * (MAX_ANSWER_CHARS + 1),
        "a\x00b",
        "a\u202eb",
        "a\u200bb",
        "a\x1bb",
        b"bytes",
        12,
        None,
        ["x"],
    ],
)
def test_refused(raw: object) -> None:
    assert isinstance(normalize(raw), ParseFailure)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("m\u00a0x\u00a010", "m x 10"),
        ("903\u202f400", "903 400"),
        ("\ufeff903400", "903400"),
        ("`m x 10`", "m x 10"),
        ("```[2, -1, 3]```", "[2, -1, 3]"),
        ("`$m \\times 10$`", "m \\times 10"),
        ("\\boxed{m \\times 10}", "m \\times 10"),
        ("$\\boxed{A}$", "A"),
        ("\\boxed {\\frac{1}{2}}", "\\frac{1}{2}"),
        ("\\boxed{a} + \\boxed{b}", "\\boxed{a} + \\boxed{b}"),
        ("`a` + `b`", "a` + `b"),
    ],
)
def test_pasted_wrappers_and_spaces(raw: str, text: str) -> None:
    assert normalize(raw) == text


@pytest.mark.parametrize(("raw", "position"), [("a\ufeffb", 1), ("\ufeff\u202ex", 1)])
def test_a_byte_order_mark_counts_only_at_the_start(raw: str, position: int) -> None:
    assert normalize(raw) == ParseFailure(messages.CONTROL_CHARACTER, position)


@pytest.mark.parametrize("raw", ["\ufeff", "\u00a0\u3000", "` `", "\\boxed{}", "`$$`"])
def test_nothing_inside_the_wrappers_is_empty(raw: str) -> None:
    assert isinstance(normalize(raw), ParseFailure)


@pytest.mark.parametrize(
    "char", ["\x00", "\x1b", "\x7f", "\u202e", "\u200b", "\ue000", "\U000e0001"]
)
def test_the_parser_refuses_what_the_first_stage_refuses(char: str) -> None:
    raw = f"m{char}+ 1"
    first = normalize(raw)
    assert isinstance(first, ParseFailure)
    assert first.message == messages.CONTROL_CHARACTER
    with pytest.raises(Reject) as parser:
        parse_normalize(raw)
    assert parser.value.failure.message == first.message
    assert parser.value.failure.position == first.position


@pytest.mark.parametrize(("raw", "position"), [("  $x", 2), ("a \\(b", 2), ("\\(a\\) b\\)", 7)])
def test_an_unbalanced_delimiter_is_pointed_at_in_the_raw_text(raw: str, position: int) -> None:
    assert normalize(raw) == ParseFailure(messages.UNBALANCED_DELIMITER, position)
