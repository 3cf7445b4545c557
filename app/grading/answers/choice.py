"""Multiple choice: an option letter, or a spelled-out label such as "batch norm"."""

import re
import unicodedata
from collections.abc import Mapping, Sequence

from app.grading.answers._ballot import Ballot, read_ballot
from app.grading.answers._text import quoted
from app.grading.answers.base import Comparison
from app.grading.failures import ParseFailure, Refuted
from app.grading.messages import answers as messages
from app.grading.normalize import normalize

WRAPPER = re.compile(r"\\(?:text|textbf|textrm|mathrm|mathbf|mathit|operatorname)\s*\{([^{}]*)\}")
LEAD = re.compile(
    r"^(?:(?:the\s+)?(?:final\s+)?answer(?:\s+is)?\s*[:=]?|option|choice|grouping|figure|panel)\s*",
    re.I,
)
# `A (batch norm)`, `B - layer norm`, `(c) instance norm`: a letter, then words about it. A
# lone lower-case letter needs punctuation after it, or `a batch norm layer` would read as A.
EXPLAINED = re.compile(
    r"(?:\((?P<enclosed>[A-Za-z])\)|(?P<upper>[A-Z])(?=[\s\-:.,(])|(?P<lower>[a-z])(?=[\-:.,)]))"
    r"[\s\-:.,)]*(?=\S)"
)
DOUBTFUL = (messages.ONE_CHOICE, messages.ANOTHER_OPTION_NAMED)
PUNCTUATION = re.compile(r"[\s\-_.,;:/&+()\[\]{}\"'`*]+")


class ChoiceAnswer:
    """One option letter out of a fixed list."""

    def __init__(self, *, options: Sequence[str], labels: Mapping[str, Sequence[str]] = {}) -> None:
        self._options = tuple(options)
        self._lookup = {_key(option): option for option in options}
        for option, spellings in labels.items():
            self._lookup.update({_key(spelling): option for spelling in spellings})

    def parse(self, raw: str) -> str | ParseFailure:
        """The option letter the answer names, by letter or by label."""
        text = normalize(raw)
        if isinstance(text, ParseFailure):
            return text
        ballot = read_ballot(text)
        return self._named(text) if ballot is None else self._ticked(ballot)

    def _ticked(self, ballot: Ballot) -> str | ParseFailure:
        # The field takes one option, so two ticks are two answers, not a multi-choice one.
        if not ballot.ticked:
            return ParseFailure(messages.NOTHING_TICKED)
        if len(ballot.ticked) > 1:
            return ParseFailure(messages.ticked_several([quoted(t) for t in ballot.ticked]))
        label = ballot.ticked[0]
        option = self._named(label) if label else None
        if isinstance(option, ParseFailure) and option.message in DOUBTFUL:
            return option
        if option is None or isinstance(option, ParseFailure):
            # A box was ticked, only not one of the options: read, and wrong.
            return Refuted(messages.ticked_unknown(quoted(label), self._options))
        return option

    def _named(self, text: str) -> str | ParseFailure:
        key = _key(_unwrapped(text))
        option = self._lookup.get(key)
        if option is not None:
            return option
        if len(key) > 1 and all(letter in self._lookup for letter in key):
            return ParseFailure(messages.ONE_CHOICE)
        return self._explained(_unwrapped(text))

    def _explained(self, text: str) -> str | ParseFailure:
        match = EXPLAINED.match(text)
        letter = match and (match["enclosed"] or match["upper"] or match["lower"])
        option = self._lookup.get(_key(letter)) if match and letter else None
        if match is None or option is None:
            return ParseFailure(messages.unknown_option(self._options))
        if self._names_another(option, text[match.end() :]):
            return ParseFailure(messages.ANOTHER_OPTION_NAMED)
        return option

    def _names_another(self, option: str, words: str) -> bool:
        # `A or B`, `B: C, H, W`, `(a) not (b)`: a second letter leaves the choice in doubt.
        others = (re.escape(other) for other in self._options if other != option)
        patterns = (rf"(?<![A-Za-z]){o}(?![A-Za-z])|\(\s*(?i:{o})\s*\)" for o in others)
        return any(re.search(pattern, words) for pattern in patterns)

    def latex(self, value: str) -> str:
        """The letter in upright text."""
        return rf"\text{{{value}}}"

    def compare(self, value: str, expected: str) -> Comparison:
        """Equality of option letters."""
        return Comparison(value == expected)


def _unwrapped(text: str) -> str:
    # The length limit bounds these loops: each pass removes a wrapper or stops.
    while (inner := WRAPPER.sub(r"\1", text)) != text:
        text = inner
    while (shorter := LEAD.sub("", text, count=1)) != text:
        text = shorter
    return text


def _key(text: str) -> str:
    """Case, spacing, punctuation and full-width forms do not distinguish options."""
    return PUNCTUATION.sub("", unicodedata.normalize("NFKC", text)).casefold()
