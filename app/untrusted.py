"""Client-supplied text: shown back safely (in messages, logs and terminals), and its JSON read
strictly."""

import json
import re
from typing import Any

SHOWN_CHARS = 40
# json.loads pairs surrogates that come in pairs, so any left in a str are lone.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def shown(text: str, *, limit: int = SHOWN_CHARS) -> str:
    """The text as it is when short and plain; escaped and cut short otherwise."""
    # A bidi override or a megabyte of text must not reach a log or a terminal as it is.
    if len(text) <= limit and text.isascii() and text.isprintable():
        return text
    return ascii(text[:limit]) + ("..." if len(text) > limit else "")


def encodable(text: str) -> str:
    """The text with each lone surrogate replaced by U+FFFD, so that it encodes as UTF-8."""
    # A JSON escape such as \\udfff decodes to a str that no UTF-8 response can carry.
    return LONE_SURROGATE.sub("\ufffd", text)


MAX_INT_DIGITS = 100


class RepeatedKey(ValueError):
    """A JSON object names the same key twice (json.loads would keep the last silently)."""


class LongNumber(ValueError):
    """A JSON integer with more digits than any answer file needs."""


def strict_json(text: str) -> Any:
    """Client JSON: a repeated key or an integer of over 100 digits raises (a ValueError);
    malformed JSON raises json.JSONDecodeError and deep nesting RecursionError."""
    # Two values for one key leave the grader guessing which was meant, and converting an
    # integer of thousands of digits costs time for nothing: answers are strings.
    return json.loads(text, object_pairs_hook=_unique_keys, parse_int=_small_int)


def _small_int(digits: str) -> int:
    if len(digits) > MAX_INT_DIGITS:
        raise LongNumber(f"a number has more than {MAX_INT_DIGITS} digits")
    return int(digits)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise RepeatedKey(f"the key {shown(key)} appears twice in one object")
        document[key] = value
    return document


class UnreadableJson(ValueError):
    """Client JSON that cannot be read; the message names it and says why."""


def read_json(text: str, *, what: str) -> Any:
    """Client JSON read strictly (see `strict_json`); UnreadableJson names `what` and the reason."""
    try:
        return strict_json(text)
    except json.JSONDecodeError as exc:
        raise UnreadableJson(f"{what} is not valid JSON: {exc}") from None
    except RecursionError:
        raise UnreadableJson(f"{what} is nested too deeply") from None
    except ValueError as exc:  # an integer with more digits than Python converts, a repeated key
        raise UnreadableJson(f"{what} cannot be read: {exc}") from None
