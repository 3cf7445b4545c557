"""Client text shown back: plain ids as they are, anything else escaped and bounded."""

import pytest

from app.untrusted import shown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("q1.a", "q1.a"),
        ("a\u202eb", "'a\\u202eb'"),
        ("x\x00", "'x\\x00'"),
        ("y" * 50, "'" + "y" * 40 + "'..."),
    ],
)
def test_shown(text: str, expected: str) -> None:
    assert shown(text) == expected
