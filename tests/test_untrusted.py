"""Client text shown back: plain ids as they are, anything else escaped and bounded, and
nothing that a UTF-8 response cannot carry."""

import pytest

from app.untrusted import encodable, shown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("q1.a", "q1.a"),
        ("a\u202eb", "'a\\u202eb'"),
        ("x\x00", "'x\\x00'"),
        ("y" * 50, "'" + "y" * 40 + "'..."),
        ("\udfff", "'\\udfff'"),
        ("q\ud800", "'q\\ud800'"),
        ("\ude00\ud83d", "'\\ude00\\ud83d'"),
        ("\ud800" * 50, "'" + "\\ud800" * 40 + "'..."),
    ],
)
def test_shown(text: str, expected: str) -> None:
    assert shown(text) == expected
    shown(text).encode("utf-8")  # raises UnicodeEncodeError on a lone surrogate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("q1.a", "q1.a"),
        ("Zoë 李 😀", "Zoë 李 😀"),
        ("\udfff", "\ufffd"),
        ("\ud800", "\ufffd"),
        ("a\ud83db", "a\ufffdb"),
        ("\ude00\ud83d", "\ufffd\ufffd"),
        ("\x00\u202e", "\x00\u202e"),
        ("", ""),
    ],
)
def test_encodable_replaces_only_lone_surrogates(text: str, expected: str) -> None:
    assert encodable(text) == expected
    encodable(text).encode("utf-8")  # raises UnicodeEncodeError on a lone surrogate
