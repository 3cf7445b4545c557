"""The parser's messages: the clauses it shares with the first stage keep that stage's words."""

import pytest

from app.grading.limits import MAX_ANSWER_CHARS
from app.grading.messages import engine, parse


@pytest.mark.parametrize(
    ("clause", "sentence"),
    [
        (parse.EMPTY, engine.EMPTY),
        (parse.CONTROL_CHARACTER, engine.CONTROL_CHARACTER),
        (parse.too_long(MAX_ANSWER_CHARS + 1), engine.too_long(MAX_ANSWER_CHARS + 1)),
    ],
    ids=["empty", "control character", "too long"],
)
def test_shared_messages_are_worded_once(clause: str, sentence: str) -> None:
    assert clause[0].islower() and not clause.endswith(".")
    assert sentence[0].isupper() and sentence.endswith(".")
    assert clause.lower() == sentence.lower().removesuffix(".")
