import pytest

from app.grading.answers._text import Piece, check_brackets, prepare, split_top, unwrap
from app.grading.failures import ParseFailure
from app.grading.limits import MAX_NESTING
from app.grading.messages import answers as messages


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("(a]", messages.UNBALANCED, 2),
        ("((a)", messages.UNBALANCED, 0),
        ("a)", messages.UNBALANCED, 1),
        ("[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1), messages.TOO_DEEP, MAX_NESTING),
    ],
)
def test_bracket_failures_point_at_the_bracket(text: str, message: str, position: int) -> None:
    assert check_brackets(text) == ParseFailure(message, position)


@pytest.mark.parametrize("text", ["", "a", "([{}])", "[" * MAX_NESTING + "]" * MAX_NESTING])
def test_balanced_brackets_pass(text: str) -> None:
    assert check_brackets(text) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (r"\left( m \right)", "     ( m       )"),
        (r"a\,b", "a  b"),
        (r"a\quad b", "a      b"),
        (r"1 \\ 2", r"1 \\ 2"),
        ("a~b", "a b"),
    ],
)
def test_prepare_blanks_spacing_and_keeps_offsets(raw: str, expected: str) -> None:
    assert prepare(raw) == expected


def test_split_top_ignores_separators_inside_brackets() -> None:
    parts = split_top(Piece("a, (b, c), [d, e]", 10), ",")
    assert [(part.text, part.start) for part in parts] == [
        ("a", 10),
        (" (b, c)", 12),
        (" [d, e]", 20),
    ]


@pytest.mark.parametrize(
    ("text", "inner", "opener"),
    [("(a, b)", "a, b", "("), ("(a) + (b)", "(a) + (b)", None), ("[ x ]", "x", "[")],
)
def test_unwrap_only_removes_an_enclosing_pair(text: str, inner: str, opener: str | None) -> None:
    piece, found = unwrap(Piece(text, 0), (("(", ")"), ("[", "]")))
    assert (piece.text, found) == (inner, opener)
    assert text[piece.start : piece.start + len(piece.text)] == piece.text
