"""normalize: unicode math becomes LaTeX, offsets stay tied to the raw text."""

import pytest

from app.grading import limits
from app.grading.mathparse.core import Reject
from app.grading.mathparse.normalize import normalize


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("μ", "\\mu "),
        ("σ²", "\\sigma ^{2}"),
        ("x²³", "x^{23}"),
        ("xᵢ", "x_{i}"),
        ("x̂", "\\hat{x}"),
        ("a × b · c − d", "a \\times  b \\cdot  c - d"),
        ("∑", "\\sum "),
        ("√2", "\\sqrt 2"),
        ("W⊤", "W^\\top "),
        ("Wᵀ", "W^T"),
        ("  $x$  ", "x"),
        ("\\(x\\)", "x"),
        ("a\u00a0b", "a b"),
        ("ｘ", "x"),
        # a tilde after a lone letter is the plain-text accent; anywhere else it stays as typed
        ("p w~", "p \\tilde{w}"),
        ("X~ = X", "\\tilde{X} = X"),
        ("(w~)", "(\\tilde{w})"),
        ("pw~", "pw~"),
        ("w~x", "w~x"),
        ("x_i~", "x_i~"),
        ("\\mu~", "\\mu~"),
        ("~w", "~w"),
        # a full stop that ends the answer like a sentence goes; a number's point stays
        ("m + 1.", "m + 1."),
        ("(m + 1).", "(m + 1)"),
        ("x_i ;", "x_i"),
        ("$m$.", "m"),
        ("$m.$", "m"),
        ("m..", "m."),
    ],
)
def test_unicode_becomes_latex(raw: str, text: str) -> None:
    assert normalize(raw).text == text


def test_every_character_keeps_its_raw_offset() -> None:
    normalized = normalize("  μ+x̂")
    assert len(normalized.origin) == len(normalized.text)
    assert normalized.origin[0] == 2
    assert normalized.origin[-1] == 4


@pytest.mark.parametrize(
    ("raw", "position"),
    [("a\x00", 1), ("a\u202eb", 1), ("a\u200bb", 1), ("a\U0001f600", 1), ("ж", 0)],
)
def test_control_and_foreign_characters_are_refused(raw: str, position: int) -> None:
    with pytest.raises(Reject) as caught:
        normalize(raw)
    assert caught.value.failure.position == position


def test_length_is_checked_before_any_work() -> None:
    with pytest.raises(Reject):
        normalize("x" * (limits.MAX_ANSWER_CHARS + 1))
