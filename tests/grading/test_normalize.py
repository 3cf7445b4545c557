"""The first stage: wrappers stripped, hostile characters and sizes refused."""

import pytest

from app.grading.failures import ParseFailure
from app.grading.limits import MAX_ANSWER_CHARS
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
