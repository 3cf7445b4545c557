"""The parser's messages: sentences in the engine's voice; the first stage's refusals are its own."""

import ast

import pytest

from app.grading.failures import ParseFailure
from app.grading.limits import MAX_ANSWER_CHARS
from app.grading.mathparse import parse_constant, parse_expression
from app.grading.mathparse.vocabulary import Vocabulary
from app.grading.messages import engine, parse

SENTENCES = [
    parse.TOO_DEEP,
    parse.THOUSANDS,
    parse.NOT_A_TARGET,
    parse.MATRIX_DIVISION,
    parse.FUNCTION_BRACKETS.format(name="ReLU"),
    parse.unexpected_character("@"),
    parse.unknown_symbol("q"),
    parse.needs_index("x"),
    parse.construct_not_allowed(ast.Lambda()),
]


@pytest.mark.parametrize("message", SENTENCES)
def test_every_message_is_a_sentence(message: str) -> None:
    assert message[0].isupper() and message.endswith(".")
    assert message.count(".") == message.removesuffix(".").count(".") + 1


@pytest.mark.parametrize(
    ("raw", "sentence"),
    [
        ("", engine.EMPTY),
        ("  $$ ", engine.EMPTY),
        ("m\u202e", engine.CONTROL_CHARACTER),
        ("m" * (MAX_ANSWER_CHARS + 1), engine.too_long(MAX_ANSWER_CHARS + 1)),
        ("$m", engine.UNBALANCED_DELIMITER),
    ],
    ids=["empty", "only delimiters", "control character", "too long", "unbalanced"],
)
def test_the_first_stage_words_its_own_refusals(raw: str, sentence: str) -> None:
    for failure in (parse_expression(raw, Vocabulary(symbols=())), parse_constant(raw)):
        assert isinstance(failure, ParseFailure)
        assert failure.message == sentence
