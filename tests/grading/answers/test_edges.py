from dataclasses import dataclass

import pytest

from app.grading.answers.edges import EdgeSetAnswer
from app.grading.failures import ParseFailure
from app.grading.messages import answers as messages
from tests.grading.answers.hostile import HOSTILE, assert_refused_quickly

NODES = {
    "X": ["X"],
    "gamma": [r"\gamma", "γ"],
    "beta": [r"\beta", "β"],
    "mu": [r"\mu", "μ"],
    "sigma^2": [r"\sigma^2", r"\sigma^{2}", "sigma^2", "sigma2", "var", "σ²", r"\mathrm{Var}"],
    "Z": ["Z", r"\hat{X}"],
    "Y": ["Y"],
}
ANSWER = EdgeSetAnswer(nodes=NODES)
X_MU = frozenset({("X", "mu")})
X_MU_Z = frozenset({("X", "mu"), ("mu", "Z")})


@dataclass(frozen=True)
class Target:
    required: frozenset[tuple[str, str]]
    optional: frozenset[tuple[str, str]] = frozenset()


BATCH_NORM = Target(
    required=frozenset(
        {
            ("X", "mu"),
            ("X", "sigma^2"),
            ("X", "Z"),
            ("mu", "Z"),
            ("sigma^2", "Z"),
            ("Z", "Y"),
            ("gamma", "Y"),
            ("beta", "Y"),
        }
    ),
    optional=frozenset({("mu", "sigma^2")}),
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("X->mu", X_MU),
        ("X -> mu", X_MU),
        ("X→mu", X_MU),
        (r"X \to \mu", X_MU),
        (r"X \rightarrow \mu", X_MU),
        ("X => mu", X_MU),
        ("X --> μ", X_MU),
        ("(X, mu)", X_MU),
        ("(X, \\mu)", X_MU),
        (r"\text{X} \to \mathrm{mu}", X_MU),
        ("X -> mu, X -> mu", X_MU),
        ("X -> mu -> Z", X_MU_Z),
        ("X -> mu, mu -> Z", X_MU_Z),
        ("X -> mu; mu -> Z", X_MU_Z),
        ("X -> mu\nmu -> Z", X_MU_Z),
        ("X -> mu mu -> Z", X_MU_Z),
        (r"\{X \to \mu, \mu \to Z\}", X_MU_Z),
        (r"\left\{ X \to \mu,\ \mu \to Z \right\}", X_MU_Z),
        ("[(X, mu), (mu, Z)]", X_MU_Z),
        ("X -> mu, mu -> Z,", X_MU_Z),
        (r"X \to \hat{X}", frozenset({("X", "Z")})),
    ],
)
def test_accepted_edge_lists(raw: str, expected: frozenset[tuple[str, str]] | None) -> None:
    result = ANSWER.parse(raw)
    if expected is None:
        assert isinstance(result, ParseFailure)  # math delimiters around each edge
    else:
        assert result == expected


@pytest.mark.parametrize(
    "spelling",
    [
        r"\sigma^2",
        r"\sigma^{2}",
        r"\sigma ^ 2",
        "sigma^2",
        "sigma2",
        "Sigma2",
        "var",
        "Var",
        "σ²",
        r"\mathrm{Var}",
        r"\text{var}",
    ],
)
def test_spellings_of_sigma_squared(spelling: str) -> None:
    assert ANSWER.parse(f"X -> {spelling}") == frozenset({("X", "sigma^2")})


@pytest.mark.parametrize(
    ("raw", "unknown"), [("x -> mu", "x"), ("X -> foo", "foo"), ("X -> z", "z")]
)
def test_unknown_nodes_are_named_with_the_node_list(raw: str, unknown: str) -> None:
    result = ANSWER.parse(raw)
    assert isinstance(result, ParseFailure)
    assert result.message == messages.unknown_node(unknown, list(NODES))
    assert result.position == raw.index(unknown)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("X mu", messages.NO_ARROW),
        ("X", messages.NO_ARROW),
        ("X -> ", messages.MISSING_NODE),
        ("-> mu", messages.MISSING_NODE),
        ("X -> -> mu", messages.MISSING_NODE),
        ("(X, mu, Z)", messages.PAIR_SIZE),
        ("(X)", messages.PAIR_SIZE),
        (", ;", messages.NO_EDGES),
        (r"\{\}", messages.NO_EDGES),
        (",".join(["X"] * 401), messages.TOO_MANY_ITEMS),
    ],
)
def test_malformed_edge_lists_are_refused(raw: str, message: str) -> None:
    result = ANSWER.parse(raw)
    assert isinstance(result, ParseFailure)
    assert result.message == message


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_answers_are_refused_quickly(raw: str) -> None:
    assert_refused_quickly(ANSWER, raw)


def _without(*edges: tuple[str, str]) -> frozenset[tuple[str, str]]:
    return BATCH_NORM.required.difference(edges)


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (BATCH_NORM.required, None),
        (BATCH_NORM.required | BATCH_NORM.optional, None),
        (_without(("Z", "Y")), messages.missing_edges(1, ["Y"])),
        (_without(("X", "Z"), ("mu", "Z")), messages.missing_edges(2, ["Z"])),
        (_without(("X", "mu"), ("Z", "Y")), messages.missing_edges(2, ["mu", "Y"])),
        (BATCH_NORM.required | {("X", "Y")}, messages.extra_edge("X", "Y", 1)),
        (BATCH_NORM.required | {("X", "Y"), ("beta", "Z")}, messages.extra_edge("X", "Y", 2)),
        (
            _without(("X", "mu")) | {("mu", "X")},
            messages.reversed_edge("mu", "X") + " " + messages.missing_edges(1, ["mu"]),
        ),
        (
            BATCH_NORM.required | {("sigma^2", "mu")},
            messages.reversed_edge("sigma^2", "mu"),
        ),
    ],
)
def test_compare_hints(value: frozenset[tuple[str, str]], hint: str | None) -> None:
    result = ANSWER.compare(value, BATCH_NORM)
    assert result.matches is (hint is None)
    assert result.hint == hint


def test_missing_edges_are_not_listed_in_the_hint() -> None:
    hint = ANSWER.compare(_without(("gamma", "Y")), BATCH_NORM).hint or ""
    assert "gamma" not in hint


def test_latex_lists_edges_in_node_order() -> None:
    assert ANSWER.latex(X_MU_Z) == r"X \to \mu,\ \mu \to Z"
    assert ANSWER.latex(frozenset({("sigma^2", "Z")})) == r"\sigma^2 \to Z"


def test_latex_reads_back_as_the_same_edges() -> None:
    full = BATCH_NORM.required | BATCH_NORM.optional
    assert ANSWER.parse(ANSWER.latex(full)) == full


def test_latex_of_a_node_without_a_latex_spelling() -> None:
    answer = EdgeSetAnswer(nodes={"a": [], "out_1": ["out1"]})
    assert answer.latex(frozenset({("a", "out_1")})) == r"a \to \mathrm{out_1}"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (r"X -> \{\mu, Z\}", frozenset({("X", "mu"), ("X", "Z")})),
        ("{X, mu} -> Z", frozenset({("X", "Z"), ("mu", "Z")})),
        ("X -> [mu] -> Z", X_MU_Z),
        ("{X, X, X} -> {mu, mu}", X_MU),
        ("X -> {mu} , mu -> {Z}", X_MU_Z),
    ],
)
def test_braces_fan_an_arrow_out_or_in(raw: str, expected: frozenset[tuple[str, str]]) -> None:
    assert ANSWER.parse(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("X -> {mu, W}", messages.unknown_node("W", list(NODES))),
        ("X -> {mu, }", messages.MISSING_NODE),
        ("X -> {}", messages.MISSING_NODE),
    ],
)
def test_a_bad_node_in_braces_is_refused(raw: str, message: str) -> None:
    result = ANSWER.parse(raw)
    assert isinstance(result, ParseFailure)
    assert result.message == message


@pytest.mark.parametrize(
    ("raw", "edges"),
    [
        ("X -> mean", frozenset({("X", "mu")})),
        ("X -> Batch Mean", frozenset({("X", "mu")})),
        ("average -> Z", frozenset({("mu", "Z")})),
        ("X -> Variance", frozenset({("X", "sigma^2")})),
        (r"\text{batch variance} -> Z", frozenset({("sigma^2", "Z")})),
    ],
)
def test_statistics_may_be_named_in_words(raw: str, edges: frozenset[tuple[str, str]]) -> None:
    assert ANSWER.parse(raw) == edges


def test_a_word_names_only_a_node_spelled_like_its_symbol() -> None:
    # sigma (the standard deviation) is no node here, so "std" names nothing.
    assert isinstance(ANSWER.parse("X -> std"), ParseFailure)
    spelled = EdgeSetAnswer(nodes={"m1": [r"\mu"], "m2": [r"\mu_B"], "mu": ["mu"]})
    assert spelled.parse("mean -> m2") == frozenset({("m1", "m2")})
    clash = EdgeSetAnswer(nodes={"a": [r"\mu"], "b": [r"\mu"]})
    assert isinstance(clash.parse("mean -> a"), ParseFailure)
