"""Per-vocabulary lookup tables: every spelling of every symbol, as token sequences in a trie."""

import functools
import keyword
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from app.grading.mathparse.core import Kind, Reject, Token
from app.grading.mathparse.lexer import tokenize
from app.grading.mathparse.normalize import normalize
from app.grading.mathparse.vocabulary import SymbolSpec, Vocabulary

GREEK: Final = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi"
    " pi rho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma"
    " Upsilon Phi Psi Omega".split()
)
ALWAYS_FUNCTIONS: Final = frozenset({"sqrt", "ReLU", "transpose"})
OPTIONAL_FUNCTIONS: Final = frozenset({"exp", "log"})
_BINDERS: Final = frozenset({"Sum"})


class Trie:
    """Token-text sequences mapped to canonical names; finds the longest match."""

    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.children: dict[str, Trie] = {}
        self.value: str | None = None

    def insert(self, key: Sequence[str], value: str) -> None:
        """Add one spelling; the first spelling inserted for a key wins."""
        node = self
        for text in key:
            node = node.children.setdefault(text, Trie())
        if node.value is None:
            node.value = value

    def longest(self, tokens: Sequence[Token], start: int) -> tuple[str, int] | None:
        """The value and end index of the longest spelling starting at tokens[start]."""
        node, best, index = self, None, start
        while index < len(tokens) and not _breaks_word(tokens, start, index):
            child = node.children.get(tokens[index].text)
            if child is None:
                break
            node, index = child, index + 1
            if node.value is not None:
                best = (node.value, index)
        return best


def _breaks_word(tokens: Sequence[Token], start: int, index: int) -> bool:
    # `x hat` is two symbols, not `xhat`: a space may not split a run of letters and digits.
    words = (Kind.LETTER, Kind.NUM)
    previous = tokens[index - 1] if index > start else None
    return (
        previous is not None
        and tokens[index].spaced
        and previous.kind in words
        and tokens[index].kind in words
    )


@dataclass(frozen=True, slots=True)
class Tables:
    """What the translator, checker and builder need to know about one vocabulary."""

    symbols: Trie
    derivatives: Trie
    specs: dict[str, SymbolSpec]
    plain: dict[str, str]
    targets: tuple[tuple[str, ...], ...]
    target_tokens: tuple[tuple[Token, ...], ...]
    target_names: frozenset[str]
    free_indices: frozenset[str]
    sum_upper: str | None
    functions: frozenset[str]
    by_plain: dict[str, SymbolSpec]


@functools.lru_cache(maxsize=256)
def tables_for(vocabulary: Vocabulary) -> Tables:
    """Build (once per vocabulary) the lookup tables."""
    specs = vocabulary.by_name()
    functions = ALWAYS_FUNCTIONS | (vocabulary.functions & OPTIONAL_FUNCTIONS)
    plain = _plain_names(vocabulary.symbols, functions)
    return Tables(
        symbols=_symbol_trie(vocabulary.symbols),
        derivatives=_derivative_trie(vocabulary.symbols, specs),
        specs=specs,
        plain=plain,
        targets=tuple(key for target in vocabulary.targets for key in _keys(target)),
        target_tokens=tuple(tokens for target in vocabulary.targets for tokens in _tokens(target)),
        target_names=frozenset(plain.get(target, target) for target in vocabulary.targets),
        free_indices=frozenset(vocabulary.free_indices),
        sum_upper=vocabulary.sum_upper,
        functions=functions,
        by_plain={plain[name]: spec for name, spec in specs.items()},
    )


def _symbol_trie(symbols: Sequence[SymbolSpec]) -> Trie:
    trie = Trie()
    keyed = [
        (spec, key)
        for spec in symbols
        for spelling in spellings_of(spec)
        for key in _keys(spelling)
    ]
    for spec, key in keyed:
        trie.insert(key, spec.name)
    # Inserted last, so a symbol really spelled W_0 keeps its name; an indexed W means W_0 is
    # its entry 0, and then a zero is not read as the letter o.
    indexed = {key for spec, key in keyed if spec.indexed}
    for spec, key in keyed:
        zero = _zero_for_o(key)
        if zero is not None and zero[:-2] not in indexed:
            trie.insert(zero, spec.name)
    return trie


def _zero_for_o(key: tuple[str, ...]) -> tuple[str, ...] | None:
    """`W_0` for `W_o`: the key with a subscript letter o written as the digit 0."""
    if len(key) >= 3 and key[-2] == "_" and key[-1] == "o":
        return (*key[:-1], "0")
    return None


def _derivative_trie(symbols: Sequence[SymbolSpec], specs: dict[str, SymbolSpec]) -> Trie:
    """Spellings of each derivative's target, mapped to the derivative symbol."""
    trie = Trie()
    for spec in symbols:
        if spec.derivative_of is None:
            continue
        target = specs.get(spec.derivative_of)
        names = spellings_of(target) if target else _variants(spec.derivative_of)
        for spelling in names:
            for key in _keys(spelling):
                trie.insert(key, spec.name)
    return trie


def spellings_of(spec: SymbolSpec) -> list[str]:
    """The canonical name, LaTeX and aliases of a symbol, with Greek plain/LaTeX variants."""
    return [v for spelling in (spec.name, spec.latex, *spec.aliases) for v in _variants(spelling)]


def _variants(spelling: str) -> Iterator[str]:
    yield spelling
    bare = spelling.removeprefix("\\")
    if bare in GREEK:
        yield bare if spelling.startswith("\\") else f"\\{bare}"


def _keys(spelling: str) -> list[tuple[str, ...]]:
    """The token-text key of a spelling; a spelling the lexer refuses has none."""
    return [tuple(token.text for token in tokens) for tokens in _tokens(spelling)]


def _tokens(spelling: str) -> list[tuple[Token, ...]]:
    """The tokens of a spelling; a spelling the lexer refuses has none."""
    try:
        return [tuple(tokenize(normalize(spelling)))]
    except Reject:
        return []


def _plain_names(symbols: Sequence[SymbolSpec], functions: frozenset[str]) -> dict[str, str]:
    """Canonical name to plain identifier; names Python cannot spell are replaced."""
    reserved = functions | _BINDERS
    plain: dict[str, str] = {}
    for number, spec in enumerate(symbols):
        usable = spec.name.isidentifier() and not keyword.iskeyword(spec.name)
        plain[spec.name] = spec.name if usable and spec.name not in reserved else f"_s{number}"
    return plain
