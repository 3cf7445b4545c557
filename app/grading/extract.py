"""Find the answer inside the words a student wrote around it.

Tried only after the whole text failed to parse, so a plain answer pays nothing for it. The
candidates are the math spans (`$...$`, `\\(...\\)`) when words stand around them; otherwise
the text without its lead-in (`The shape of W_h is`, `Choose`, `Layer norm is`) and its
glosses (`where m is the batch size`, `(the mean over the batch)`), with trailing working
(`903400 (= 2800 + ...)`) turned into a chain that the answer type checks. One readable
candidate is the answer; two that read differently are two answers, and are refused.

The work is bounded: the text is at most MAX_ANSWER_CHARS long, every pattern scans it in
linear time, and at most MAX_CANDIDATES candidates are parsed.
"""

import re
from dataclasses import replace
from typing import Any

from app.grading.answers._text import quoted
from app.grading.answers.base import AnswerType
from app.grading.failures import ParseFailure
from app.grading.messages import engine as messages

MAX_CANDIDATES = 4
"""Most math spans tried; more than this many is not an answer with a few words around it."""
MAX_PASSES = 3
"""Most rounds of lead-in and gloss removal (`So the answer is ...`)."""

SPAN = re.compile(r"\$\$(?P<display>[^$]+)\$\$|\$(?P<inline>[^$]+)\$|\\\((?P<paren>.+?)\\\)", re.S)
WORD = re.compile(r"[A-Za-z]{2,}")
LEADS = (
    re.compile(r"(?:so|thus|hence|therefore|then|finally)\b[\s,:]*", re.I),
    re.compile(
        r"(?:(?:we|i)\s+)?(?:choose|chose|pick|select|take|set|get|obtain|have|use|write|find)"
        r"\s*:?\s+",
        re.I,
    ),
    re.compile(
        r"(?:the\s+)?(?:final\s+|correct\s+)?(?:answer|result|shape|size|dimensions?|value"
        r"|output|expression|gradient|derivative|total|count)(?:\s+(?:of|for)\s+\S{1,40})?"
        r"\s*(?:is|are|equals|=|:)\s*",
        re.I,
    ),
    # A subject in plain words: `Layer norm is B`, `Batch normalization is A`.
    re.compile(r"(?:[A-Za-z]+\s+){0,3}[A-Za-z]+\s+(?:is|are)\s+", re.I),
)
# The look-behind starts each try at the head of a run of separators, keeping the scan linear.
GLOSS_CLAUSE = re.compile(r"(?<![\s,;])[\s,;]+(?:where|with|here|since|because)\s", re.I)
GLOSS_PAREN = re.compile(r"\(\s*(?P<words>[A-Za-z][A-Za-z ,.'-]{0,160}?)\s*\)")
GLOSS_WORDS = frozenset(
    "the a an of over is are for which that this its each every all in on by to from "
    "ie eg i e mean sum batch".split()
)
END_MARKS = ".;,!"


def extract(answer: AnswerType[Any, Any], raw: str, text: str) -> Any | ParseFailure | None:
    """The one readable answer in a sentence, a failure when there are two, None for none."""
    candidates = _spans(raw)
    if candidates is None:
        return _from_core(answer, text)
    if len(candidates) > MAX_CANDIDATES:
        return ParseFailure(messages.TOO_MANY_PIECES)
    readable = [(c, v) for c in candidates if not isinstance(v := answer.parse(c), ParseFailure)]
    if len({answer.latex(value) for _, value in readable}) > 1:
        return ParseFailure(messages.several_answers([quoted(c) for c, _ in readable]))
    return readable[0][1] if readable else None


def _from_core(answer: AnswerType[Any, Any], text: str) -> Any | ParseFailure | None:
    core = _core(text)
    chained = _working_first(core)
    if chained == text:
        return None  # nothing around the answer was found; the text's own failure stands
    value = answer.parse(chained)
    if not isinstance(value, ParseFailure):
        return value
    # Working the student bracketed is judged like working before `=`; its offsets are gone.
    return replace(value, position=None) if chained != core else None


def _spans(raw: str) -> list[str] | None:
    # Only words outside the spans make them candidates; `$a$ + $b$` is one answer.
    raw = _without_glosses(raw)  # `$m \times 10$, where $m$ is ...` names m only to explain
    found = list(SPAN.finditer(raw))
    if not found:
        return None
    outside = SPAN.sub(" ", raw)
    if WORD.search(outside) is None:
        return None
    return [next(group for group in match.groups() if group).strip() for match in found]


def _core(text: str) -> str:
    core = text.strip()
    for _ in range(MAX_PASSES):
        shorter = _without_lead(_without_glosses(core))
        if shorter == core:
            break
        core = shorter
    return core


def _without_lead(text: str) -> str:
    for lead in LEADS:
        match = lead.match(text)
        if match is not None and match.end() < len(text):
            return text[match.end() :].strip()
    return text


def _without_glosses(text: str) -> str:
    text = GLOSS_PAREN.sub(lambda match: "" if _is_gloss(match["words"]) else match[0], text)
    depths = _depths(text)
    for match in GLOSS_CLAUSE.finditer(text):
        if match.start() > 0 and depths[match.start()] == 0:
            text = text[: match.start()]
            break
    return _without_end(text)


def _without_end(text: str) -> str:
    # One closing mark; `X..` is not a sentence's end but a typo the parser reports.
    text = text.rstrip()
    if text.endswith(tuple(END_MARKS)) and not text[:-1].endswith(tuple(END_MARKS)):
        return text[:-1].rstrip()
    return text


def _is_gloss(words: str) -> bool:
    # Two words or more, one of them a word of prose: `(batch norm)` names, it does not gloss.
    found = [word.casefold() for word in re.findall(r"[A-Za-z]+", words)]
    return len(found) >= 2 and any(word in GLOSS_WORDS for word in found)


def _depths(text: str) -> list[int]:
    depth, depths = 0, []
    for char in text:
        depths.append(depth)
        depth += (char in "([{") - (char in ")]}")
    return depths


def _working_first(text: str) -> str:
    """`903400 (= 2800 + 180200 + 720400)` as the chain `2800 + 180200 + 720400 = 903400`."""
    if not text.endswith(")"):
        return text
    depths = _depths(text)
    opening = next((i for i in range(len(text) - 1, -1, -1) if depths[i] == 0), None)
    if opening is None or opening == 0 or text[opening] != "(":
        return text
    working = text[opening + 1 : -1].strip()
    if not working.startswith("="):
        return text
    return f"{working[1:].strip()} = {text[:opening].strip()}"
