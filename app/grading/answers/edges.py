"""Edge lists of a computational graph: `X -> mu, mu -> sigma^2`, chains, `(A, B)` pairs."""

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Protocol

from app.grading.answers._text import Piece, prepare, quoted, split_top, split_words, unwrap
from app.grading.answers.base import Comparison
from app.grading.failures import ParseFailure
from app.grading.limits import MAX_LIST_ITEMS
from app.grading.messages import answers as messages

Edge = tuple[str, str]
EdgeSet = frozenset[Edge]
Group = tuple[str, ...]

ARROW = re.compile(
    r"-+>|=+>|[→⟶⇒↦]|\\(?:to|rightarrow|longrightarrow|Rightarrow|Longrightarrow|mapsto)(?![A-Za-z])"
)
WRAPPER = re.compile(
    r"\\(?:text|textrm|mathrm|mathbf|mathit|boldsymbol|operatorname)\s*\{([^{}]*)\}"
)
BRACES = re.compile(r"[\s{}]")
OUTER = (("\\{", "\\}"), ("{", "}"), ("[", "]"))
GROUPS = (("\\{", "\\}"), ("{", "}"), ("[", "]"))
# The words a course uses for the symbols of its statistics: a node spelled \mu is the mean.
WORDS = {
    r"\mu": ("mean", "batch mean", "average"),
    r"\sigma^2": ("variance", "var", "batch variance"),
    r"\sigma": ("std", "standard deviation"),
}


class EdgeTarget(Protocol):
    """The edges a correct graph must have, and those it may have besides."""

    @property
    def required(self) -> frozenset[Edge]: ...

    @property
    def optional(self) -> frozenset[Edge]: ...


class EdgeSetAnswer:
    """A set of directed edges between named nodes."""

    def __init__(self, *, nodes: Mapping[str, Sequence[str]]) -> None:
        self._names = tuple(nodes)
        self._order = {name: index for index, name in enumerate(nodes)}
        self._exact = {_key(name): name for name in nodes}
        self._exact.update({_key(s): name for name, spells in nodes.items() for s in spells})
        for key, name in _word_names(nodes).items():
            self._exact.setdefault(key, name)
        self._folded = _folded(self._exact)
        self._latex = {name: _latex_name(name, nodes[name]) for name in nodes}

    def parse(self, raw: str) -> EdgeSet | ParseFailure:
        """Collect the edges of every item; chains give one edge per arrow."""
        text = prepare(raw)
        if isinstance(text, ParseFailure):
            return text
        inner, _ = unwrap(Piece(text, 0).stripped(), OUTER)
        items = [item.stripped() for item in split_top(inner, ",;\n")]
        items = [item for item in items if item.text]
        if len(items) > MAX_LIST_ITEMS:
            return ParseFailure(messages.TOO_MANY_ITEMS)
        edges: set[Edge] = set()
        for item in items:
            found = self._item_edges(item)
            if isinstance(found, ParseFailure):
                return found
            edges.update(found)
        if not edges:
            return ParseFailure(messages.NO_EDGES)
        return frozenset(edges)

    def latex(self, value: EdgeSet) -> str:
        """Edges in node order, joined by commas."""
        shown = [rf"{self._latex[a]} \to {self._latex[b]}" for a, b in self._sorted(value)]
        return r",\ ".join(shown)

    def compare(self, value: EdgeSet, expected: EdgeTarget) -> Comparison:
        """All required edges present and nothing outside required and optional."""
        allowed = expected.required | expected.optional
        missing = expected.required - value
        extra = value - allowed
        if not missing and not extra:
            return Comparison(True)
        return Comparison(False, " ".join(self._hints(missing, extra, allowed)))

    def _hints(self, missing: EdgeSet, extra: EdgeSet, allowed: EdgeSet) -> list[str]:
        hints: list[str] = []
        backwards = self._sorted({edge for edge in extra if edge[::-1] in allowed})
        if backwards:
            hints.append(messages.reversed_edge(*backwards[0]))
        unrelated = self._sorted(extra.difference(backwards))
        if unrelated:
            hints.append(messages.extra_edge(*unrelated[0], len(unrelated)))
        if missing:
            targets = sorted({target for _, target in missing}, key=self._rank)
            hints.append(messages.missing_edges(len(missing), targets))
        return hints

    def _item_edges(self, item: Piece) -> list[Edge] | ParseFailure:
        inner, opener = unwrap(item, (("(", ")"),))
        if opener is not None and not ARROW.search(inner.text):
            return self._pair(inner)
        segments = _segments(item)
        if len(segments) < 2:
            return ParseFailure(messages.NO_ARROW, item.start)
        chains = self._chains(segments)
        if isinstance(chains, ParseFailure):
            return chains
        steps = [step for chain in chains for step in zip(chain, chain[1:], strict=False)]
        return [(a, b) for sources, targets in steps for a in sources for b in targets]

    def _pair(self, inner: Piece) -> list[Edge] | ParseFailure:
        parts = [part.stripped() for part in split_top(inner, ",")]
        if len(parts) != 2:
            return ParseFailure(messages.PAIR_SIZE, inner.start)
        nodes = self._nodes(parts)
        return nodes if isinstance(nodes, ParseFailure) else [(nodes[0], nodes[1])]

    def _chains(self, segments: list[Piece]) -> list[list[Group]] | ParseFailure:
        chains: list[list[Group]] = [[]]
        for index, segment in enumerate(segments):
            group = self._group(segment)
            if group is not None:
                if isinstance(group, ParseFailure):
                    return group
                chains[-1].append(group)
                continue
            inner = 0 < index < len(segments) - 1
            nodes = self._nodes(self._chain_break(segment) if inner else [segment])
            if isinstance(nodes, ParseFailure):
                return nodes
            chains[-1].append((nodes[0],))
            if len(nodes) == 2:
                chains.append([(nodes[1],)])
        return chains

    def _group(self, segment: Piece) -> Group | ParseFailure | None:
        # `X -> {mu, sigma^2, Z}`: one arrow to (or from) every node in the braces.
        inner, opener = unwrap(segment, GROUPS)
        if opener is None:
            return None
        nodes = self._nodes([part.stripped() for part in split_top(inner, ",")])
        return nodes if isinstance(nodes, ParseFailure) else tuple(dict.fromkeys(nodes))

    def _chain_break(self, segment: Piece) -> list[Piece]:
        # Newlines between edges arrive as spaces, so `X -> mu mu -> Z` holds two chains.
        words = split_words(segment)
        if len(words) == 2 and self._lookup(segment.text) is None:
            return words
        return [segment]

    def _nodes(self, pieces: list[Piece]) -> list[str] | ParseFailure:
        names: list[str] = []
        for piece in pieces:
            name = self._node(piece)
            if isinstance(name, ParseFailure):
                return name
            names.append(name)
        return names

    def _node(self, piece: Piece) -> str | ParseFailure:
        if not piece.text:
            return ParseFailure(messages.MISSING_NODE, piece.start)
        name = self._lookup(piece.text)
        if name is None:
            return ParseFailure(messages.unknown_node(quoted(piece.text), self._names), piece.start)
        return name

    def _lookup(self, text: str) -> str | None:
        key = _key(text)
        name = self._exact.get(key)
        if name is None and len(key) > 1 and "\\" not in key:
            name = self._folded.get(key.casefold())
        return name

    def _rank(self, name: str) -> tuple[int, str]:
        return self._order.get(name, len(self._order)), name

    def _sorted(self, edges: set[Edge] | frozenset[Edge]) -> list[Edge]:
        return sorted(edges, key=lambda edge: (self._rank(edge[0]), self._rank(edge[1])))


def _segments(item: Piece) -> list[Piece]:
    cuts = [(match.start(), match.end()) for match in ARROW.finditer(item.text)]
    bounds = [0] + [end for _, end in cuts]
    ends = [start for start, _ in cuts] + [len(item.text)]
    return [
        Piece(item.text[begin:end], item.start + begin).stripped()
        for begin, end in zip(bounds, ends, strict=True)
    ]


def _key(text: str) -> str:
    """Spacing, braces, Unicode compatibility forms and text wrappers do not distinguish nodes."""
    text = unicodedata.normalize("NFKC", text)
    while (inner := WRAPPER.sub(r"\1", text)) != text:
        text = inner
    return BRACES.sub("", text)


def _word_names(nodes: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Word spellings of the nodes spelled like a WORDS symbol; a word for two nodes is dropped."""
    found: dict[str, set[str]] = {}
    for name, spellings in nodes.items():
        keys = {_key(spelling) for spelling in (name, *spellings)}
        for symbol, words in WORDS.items():
            if _key(symbol) in keys:
                for word in words:
                    found.setdefault(_key(word), set()).add(name)
    return {word: next(iter(names)) for word, names in found.items() if len(names) == 1}


def _folded(exact: Mapping[str, str]) -> dict[str, str]:
    # Plain words may differ in case (`Var`, `var`); a spelling folding onto two nodes is dropped.
    folded: dict[str, set[str]] = {}
    for key, name in exact.items():
        if len(key) > 1 and "\\" not in key:
            folded.setdefault(key.casefold(), set()).add(name)
    return {key: next(iter(names)) for key, names in folded.items() if len(names) == 1}


def _latex_name(name: str, spellings: Sequence[str]) -> str:
    # The first spelling that is already LaTeX: a command (`\gamma`) or a single letter (`Z`).
    for spelling in (*spellings, name):
        if spelling.startswith("\\") or (len(spelling) == 1 and spelling.isascii()):
            return spelling
    return rf"\mathrm{{{name}}}"
