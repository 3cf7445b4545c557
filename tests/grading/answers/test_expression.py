"""Expression answers: equivalent forms match, classic mistakes do not, hints stay discreet."""

import re

import pytest
import sympy

from app.grading.answers import expression as expression_module
from app.grading.answers.base import Comparison
from app.grading.answers.expression import ExpressionAnswer, MatrixExpressionAnswer
from app.grading.failures import ParseFailure
from app.grading.mathparse.vocabulary import SymbolSpec, Vocabulary
from app.grading.messages import sampling as messages
from app.grading.sampling.batch import FloatArray, SampleBatch
from app.grading.sampling.context import SamplingContext
from app.grading.sampling.contexts import CONTEXTS
from app.grading.sampling.evaluate import evaluate
from tests.grading.sampling.trees import (
    add,
    at,
    div,
    i,
    j,
    m,
    mat,
    mul,
    neg,
    num,
    power,
    relu,
    sqrt,
    sub,
    sym,
    total,
    tr,
)

S = SymbolSpec
BATCHNORM = Vocabulary(
    symbols=(
        S("x", "x", indexed=True),
        S("y", "y", indexed=True),
        S("xhat", r"\hat{x}", aliases=(r"\hat x", "xhat"), indexed=True),
        S("mu", r"\mu", aliases=("mu",)),
        S("sigma2", r"\sigma^{2}", aliases=(r"\sigma^2", "sigma2")),
        S("sigma", r"\sigma", aliases=("sigma",)),
        S("eps", r"\epsilon", aliases=(r"\varepsilon", "eps")),
        S("gamma", r"\gamma", aliases=("gamma",)),
        S("beta", r"\beta", aliases=("beta",)),
        S("m", "m"),
        S("dy", r"\frac{\partial f}{\partial y}", aliases=("dy",), indexed=True, derivative_of="y"),
        S("dxhat", r"\frac{\partial f}{\partial \hat{x}}", indexed=True, derivative_of="xhat"),
        S("dsigma2", r"\frac{\partial f}{\partial \sigma^{2}}", derivative_of="sigma2"),
        S("dmu", r"\frac{\partial f}{\partial \mu}", derivative_of="mu"),
    ),
    free_indices=("i",),
    sum_upper="m",
)
MEAN_ONLY = Vocabulary(
    symbols=(
        S("y", "y", indexed=True),
        S("dy", r"\frac{\partial L}{\partial y}", aliases=("dy",), indexed=True, derivative_of="y"),
        S("gamma", r"\gamma", aliases=("gamma",)),
        S("n", "n"),
    ),
    free_indices=("i",),
    sum_upper="n",
)
SHAPES = CONTEXTS["dense_network"]().shapes()
DENSE = Vocabulary(
    symbols=tuple(
        S(name, latex, shape=SHAPES[name])
        for name, latex in [
            ("X", "X"),
            ("W_h", "W_h"),
            ("b_h", "b_h"),
            ("W_o", "W_o"),
            ("b_o", "b_o"),
            ("ones_m", r"\mathbf{1}_m"),
        ]
    ),
    functions=frozenset({"sqrt", "ReLU"}),
)
DROPOUT = Vocabulary(
    symbols=(
        S("p", "p"),
        S("w_tilde", r"\tilde{w}", shape=("d",)),
        S("X", "X", shape=("n", "d")),
        S("Gamma", r"\Gamma", shape=("d", "d")),
    )
)
NOISE = Vocabulary(symbols=(S("mu", r"\mu"), S("sigma", r"\sigma")))


def _answer(kind: type[ExpressionAnswer], context: str, vocabulary: Vocabulary) -> ExpressionAnswer:
    built: SamplingContext = CONTEXTS[context]()
    return kind(vocabulary=vocabulary, context=built)


ANSWERS = {
    "batchnorm": _answer(ExpressionAnswer, "batchnorm", BATCHNORM),
    "mean_only_batchnorm": _answer(ExpressionAnswer, "mean_only_batchnorm", MEAN_ONLY),
    "dense_network": _answer(MatrixExpressionAnswer, "dense_network", DENSE),
    "dropout_tikhonov": _answer(MatrixExpressionAnswer, "dropout_tikhonov", DROPOUT),
    "multiplicative_noise": _answer(ExpressionAnswer, "multiplicative_noise", NOISE),
}

x_i, x_j, xhat_i, xhat_j = at("x", i), at("x", j), at("xhat", i), at("xhat", j)
dy_i, dy_j, dxhat_i, dxhat_j, y_j = (
    at("dy", i),
    at("dy", j),
    at("dxhat", i),
    at("dxhat", j),
    at("y", j),
)
mu, sigma2, sigma, eps, gamma, beta = (
    sym(n) for n in ("mu", "sigma2", "sigma", "eps", "gamma", "beta")
)
dsigma2, dmu, n, p = sym("dsigma2"), sym("dmu"), sym("n"), sym("p")
std = sqrt(add(sigma2, eps))
std_sigma = sqrt(add(power(sigma, 2), eps))
three_halves = power(add(sigma2, eps), num("-3/2"))
centred_j, centred_i = sub(x_j, mu), sub(x_i, mu)
dsigma2_tree = total(mul(dxhat_j, centred_j, num("-1/2"), three_halves))
dmu_tree = neg(div(total(dxhat_j), std))

# (context, quantity, tree, hint): hint None means the tree must match.
CASES: list[tuple[str, str, sympy.Basic, str | None]] = [
    # q3.a df/dgamma
    ("batchnorm", "dgamma", total(mul(dy_j, xhat_j)), None),
    ("batchnorm", "dgamma", total(mul(at("xhat", i), at("dy", i)), i), None),
    ("batchnorm", "dgamma", total(div(mul(dy_j, centred_j), std)), None),
    ("batchnorm", "dgamma", div(total(mul(dy_j, centred_j)), std_sigma), None),
    ("batchnorm", "dgamma", total(mul(dy_j, div(sub(y_j, beta), gamma))), None),
    (
        "batchnorm",
        "dgamma",
        total(mul(dy_j, x_j)),
        "differs from the correct value, e.g. for a batch of m = 2",
    ),
    ("batchnorm", "dgamma", div(total(mul(dy_j, centred_j)), sqrt(sigma2)), "differs"),
    ("batchnorm", "dgamma", mul(dy_i, xhat_i), "depends on the index i, but the answer does not"),
    # q3.b df/dbeta
    ("batchnorm", "dbeta", total(dy_j), None),
    ("batchnorm", "dbeta", total(dy_i, i), None),
    ("batchnorm", "dbeta", dy_i, "depends on the index i"),
    ("batchnorm", "dbeta", div(total(dy_j), m), "differs"),
    # q3.c df/dxhat_i
    ("batchnorm", "dxhat_i", mul(dy_i, gamma), None),
    ("batchnorm", "dxhat_i", mul(gamma, dy_i), None),
    (
        "batchnorm",
        "dxhat_i",
        dy_i,
        "differs from the correct value, e.g. for a batch of m = 2 with i = ",
    ),
    (
        "batchnorm",
        "dxhat_i",
        mul(gamma, total(dy_j)),
        "does not depend on the free index i, but the answer does",
    ),
    ("batchnorm", "dxhat_i", mul(gamma, total(dy_i, i)), "sums over i, but i is the free index"),
    # q3.d df/dsigma2
    ("batchnorm", "dsigma2", dsigma2_tree, None),
    (
        "batchnorm",
        "dsigma2",
        mul(neg(div(gamma, num(2))), three_halves, total(mul(dy_j, centred_j))),
        None,
    ),
    (
        "batchnorm",
        "dsigma2",
        neg(div(total(mul(dxhat_j, xhat_j)), mul(num(2), add(sigma2, eps)))),
        None,
    ),
    (
        "batchnorm",
        "dsigma2",
        mul(
            num("-0.5"),
            power(add(power(sigma, 2), eps), num("-3/2")),
            total(mul(dxhat_j, centred_j)),
        ),
        None,
    ),
    (
        "batchnorm",
        "dsigma2",
        total(mul(dxhat_j, centred_j, num("-1/2"), power(sigma2, num("-3/2")))),
        "differs",
    ),
    ("batchnorm", "dsigma2", total(mul(dxhat_j, centred_j, three_halves)), "differs"),
    (
        "batchnorm",
        "dsigma2",
        total(mul(dxhat_j, centred_j, num("-1/2"), power(add(sigma2, eps), num("-1/2")))),
        "differs",
    ),
    # q3.e df/dmu: with or without the term through sigma2, which is zero at mu = mean(x)
    (
        "batchnorm",
        "dmu",
        add(
            total(mul(dxhat_j, neg(div(num(1), std)))),
            mul(dsigma2, div(total(mul(num(-2), centred_j)), m)),
        ),
        None,
    ),
    ("batchnorm", "dmu", dmu_tree, None),
    ("batchnorm", "dmu", mul(neg(gamma), power(add(sigma2, eps), num("-1/2")), total(dy_j)), None),
    (
        "batchnorm",
        "dmu",
        add(dmu_tree, mul(dsigma2_tree, num(-2), sub(div(total(x_j), m), mu))),
        None,
    ),
    ("batchnorm", "dmu", div(total(dxhat_j), std), "differs"),
    ("batchnorm", "dmu", neg(total(dxhat_j)), "differs"),
    ("batchnorm", "dmu", neg(div(total(dxhat_j), sqrt(sigma2))), "differs"),
    # q3.f df/dx_i
    (
        "batchnorm",
        "dx_i",
        add(div(dxhat_i, std), mul(dsigma2, div(mul(num(2), centred_i), m)), div(dmu, m)),
        None,
    ),
    (
        "batchnorm",
        "dx_i",
        mul(
            div(gamma, mul(m, std)),
            add(mul(m, dy_i), neg(total(dy_j)), neg(mul(xhat_i, total(mul(dy_j, xhat_j))))),
        ),
        None,
    ),
    (
        "batchnorm",
        "dx_i",
        mul(
            div(num(1), mul(m, std_sigma)),
            sub(sub(mul(m, dxhat_i), total(dxhat_j)), mul(xhat_i, total(mul(dxhat_j, xhat_j)))),
        ),
        None,
    ),
    (
        "batchnorm",
        "dx_i",
        add(
            div(mul(gamma, dy_i), std),
            mul(
                total(mul(gamma, dy_j, centred_j, num("-1/2"), three_halves)),
                num(2),
                centred_i,
                power(m, -1),
            ),
            div(neg(mul(div(gamma, std), total(dy_j))), m),
        ),
        None,
    ),
    (
        "batchnorm",
        "dx_i",
        add(div(dxhat_i, sqrt(sigma2)), mul(dsigma2, div(mul(num(2), centred_i), m)), div(dmu, m)),
        "differs",
    ),
    (
        "batchnorm",
        "dx_i",
        add(
            div(dxhat_i, std),
            mul(dsigma2, div(mul(num(2), centred_i), sub(m, num(1)))),
            div(dmu, m),
        ),
        "differs",
    ),
    (
        "batchnorm",
        "dx_i",
        add(
            total(div(at("dxhat", i), std), i),
            mul(dsigma2, div(mul(num(2), centred_i), m)),
            div(dmu, m),
        ),
        "sums over i",
    ),
    (
        "batchnorm",
        "dx_i_no_mu_path",
        add(div(dxhat_i, std), mul(dsigma2, div(mul(num(2), centred_i), m))),
        None,
    ),
    ("batchnorm", "dx_i_no_var_path", add(div(dxhat_i, std), div(dmu, m)), None),
    (
        "batchnorm",
        "dsigma2_unbiased",
        total(
            mul(
                gamma,
                dy_j,
                centred_j,
                num("-1/2"),
                power(add(mul(div(m, sub(m, num(1))), sigma2), eps), num("-3/2")),
            )
        ),
        None,
    ),
    # eecs182-hw5 q2.b: mean-only batch norm
    ("mean_only_batchnorm", "dx_i", mul(gamma, sub(dy_i, div(total(dy_j, j, 1, n), n))), None),
    (
        "mean_only_batchnorm",
        "dx_i",
        sub(mul(gamma, dy_i), mul(div(gamma, n), total(dy_j, j, 1, n))),
        None,
    ),
    (
        "mean_only_batchnorm",
        "dx_i",
        mul(div(gamma, n), sub(mul(n, dy_i), total(dy_j, j, 1, n))),
        None,
    ),
    (
        "mean_only_batchnorm",
        "dx_i",
        mul(gamma, dy_i),
        "differs from the correct value, e.g. for a batch of n = 1",
    ),
    (
        "mean_only_batchnorm",
        "dx_i",
        mul(gamma, sub(dy_i, div(total(dy_j, j, 1, n), sub(n, num(1))))),
        "undefined for a batch of n = 1",
    ),
    ("mean_only_batchnorm", "dx_i_limit", mul(gamma, dy_i), None),
    (
        "mean_only_batchnorm",
        "dx_i_limit",
        mul(gamma, sub(dy_i, div(total(dy_j, j, 1, n), n))),
        "differs",
    ),
    # eecs182-hw5 q8: multiplicative noise
    ("multiplicative_noise", "A", mu, None),
    ("multiplicative_noise", "B", power(sigma, 2), None),
    ("multiplicative_noise", "B", mul(sigma, sigma), None),
    (
        "multiplicative_noise",
        "B",
        sigma,
        "differs from the correct value, e.g. at some of the sample points",
    ),
    ("multiplicative_noise", "A", power(mu, 2), "differs"),
    ("multiplicative_noise", "A", sym("w"), "(w) that this question does not allow"),
]

X, W_h, b_h, W_o, b_o, ones = (mat(name) for name in ("X", "W_h", "b_h", "W_o", "b_o", "ones_m"))
w_tilde, X_d, Gamma = mat("w_tilde"), mat("X"), mat("Gamma")
hidden = relu(add(mul(X, W_h), b_h))
columns = add(mul(tr(W_o), tr(hidden)), mul(b_o, tr(ones)))
MATRIX_CASES: list[tuple[str, str, sympy.Basic, str | None]] = [
    # dl-ex1 q1.e
    ("dense_network", "Y", relu(add(mul(hidden, W_o), b_o)), None),
    (
        "dense_network",
        "Y",
        relu(add(mul(relu(add(mul(X, W_h), mul(ones, tr(b_h)))), W_o), mul(ones, b_o))),
        None,
    ),
    ("dense_network", "Y", relu(tr(columns)), None),
    ("dense_network", "Y", tr(relu(columns)), None),
    (
        "dense_network",
        "Y",
        relu(add(mul(relu(add(mul(tr(W_h), X), b_h)), W_o), b_o)),
        "W_h^T (50 x 10) times X (m x 10) does not conform.",
    ),
    ("dense_network", "Y", relu(columns), "Your result is 3 x m; check the orientation."),
    ("dense_network", "Y", hidden, "Your result is m x 50, which is not the size of the answer."),
    (
        "dense_network",
        "Y",
        relu(add(mul(hidden, W_o), b_h)),
        r"Cannot add ReLU(X W_h + b_h) W_o (m x 3) and b_h (a vector of length 50).",
    ),
    (
        "dense_network",
        "Y",
        relu(add(mul(hidden, W_o), neg(b_o))),
        "differs from the correct value, e.g. for a batch of m = 2",
    ),
    ("dense_network", "Y_no_output_relu", add(mul(hidden, W_o), b_o), None),
    ("dense_network", "Y_no_hidden_relu", relu(add(mul(add(mul(X, W_h), b_h), W_o), b_o)), None),
    ("dense_network", "Y_no_bias", relu(mul(relu(mul(X, W_h)), W_o)), None),
    # eecs182-hw5 q4.b, q4.c
    ("dropout_tikhonov", "w", mul(p, w_tilde), None),
    ("dropout_tikhonov", "w", mul(w_tilde, p), None),
    ("dropout_tikhonov", "w", div(w_tilde, p), "differs"),
    ("dropout_tikhonov", "w", mul(sub(num(1), p), w_tilde), "differs"),
    ("dropout_tikhonov", "X_tilde", mul(X_d, power(Gamma, -1)), None),
    ("dropout_tikhonov", "X_tilde", tr(mul(tr(power(Gamma, -1)), tr(X_d))), None),
    (
        "dropout_tikhonov",
        "X_tilde",
        mul(power(Gamma, -1), X_d),
        r"\Gamma^(-1) (d x d) times X (n x d) does not conform.",
    ),
    ("dropout_tikhonov", "X_tilde", mul(X_d, tr(Gamma)), "differs"),
    ("dropout_tikhonov", "X_tilde", mul(X_d, tr(power(Gamma, -1))), "differs"),
    ("dropout_tikhonov", "X_tilde", mul(X_d, Gamma), "differs"),
]


def _ids(cases: list[tuple[str, str, sympy.Basic, str | None]]) -> list[str]:
    # Numbered, not printed: a tree is printed only through the vocabulary's LaTeX printer.
    return [
        f"{q}-{'ok' if hint is None else 'wrong'}-{n}" for n, (_, q, _, hint) in enumerate(cases)
    ]


@pytest.mark.parametrize(
    ("context", "quantity", "tree", "hint"), CASES + MATRIX_CASES, ids=_ids(CASES + MATRIX_CASES)
)
def test_equivalent_forms_match_and_mistakes_do_not(
    context: str, quantity: str, tree: sympy.Basic, hint: str | None
) -> None:
    answer = ANSWERS[context]
    result = answer.compare(tree, answer.target(quantity=quantity))
    assert result.matches is (hint is None), result.hint
    if hint is not None:
        assert result.hint is not None and hint in result.hint


# A hint may name the student's own terms and the sample point, never a value or a symbol.
LEAKS = re.compile(r"\d\.\d|\b(gamma|beta|sigma2?|mu|eps|x|y|xhat|dy|dxhat|dsigma2|dmu|p|X)\b")


@pytest.mark.parametrize(
    ("context", "quantity", "tree", "hint"), [c for c in CASES if c[3] is not None]
)
def test_hints_show_no_values_and_no_symbols(
    context: str, quantity: str, tree: sympy.Basic, hint: str | None
) -> None:
    answer = ANSWERS[context]
    result = answer.compare(tree, answer.target(quantity=quantity))
    assert result.hint is not None
    assert LEAKS.search(result.hint) is None, result.hint


def test_expression_targets_are_evaluated_like_answers() -> None:
    answer = ANSWERS["batchnorm"]
    target = answer.target(expression=total(mul(dy_j, xhat_j)))
    assert target is answer.target(expression=total(mul(dy_j, xhat_j)))
    assert answer.compare(total(mul(xhat_j, dy_j)), target).matches
    assert answer.compare(answer_tree := total(dy_j), target).matches is False
    assert answer.compare(answer_tree, answer.target(quantity="dbeta")).matches
    assert answer.target(expression=mul(gamma, dy_i)).free_indices == frozenset({"i"})


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({}, "exactly one"),
        ({"quantity": "dx_i", "expression": dy_i}, "exactly one"),
        ({"quantity": "dz"}, "unknown quantity"),
        ({"expression": at("z", i)}, "does not allow"),
    ],
)
def test_target_refuses_bad_problem_files(options: dict[str, object], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        ANSWERS["batchnorm"].target(**options)  # type: ignore[arg-type]


def test_a_non_conforming_matrix_target_is_refused() -> None:
    with pytest.raises(ValueError, match="does not conform"):
        ANSWERS["dense_network"].target(expression=mul(W_h, X))


PARSED = [
    (r"\sum_{j=1}^m \frac{\partial L}{\partial y_j} \hat{x}_j", "dgamma", True),
    (r"\sum_i dy_i \hat x_i", "dgamma", True),
    (r"\sum_{j=1}^{m} \frac{\partial f}{\partial y_j}", "dbeta", True),
    (r"\gamma \frac{\partial f}{\partial y_i}", "dxhat_i", True),
    (
        r"-\frac{1}{2}\sum_{j=1}^{m} \frac{\partial f}{\partial \hat{x}_j}(x_j-\mu)(\sigma^2+\epsilon)^{-3/2}",
        "dsigma2",
        True,
    ),
    (
        r"-\frac{1}{\sqrt{\sigma^2+\varepsilon}}\sum_{j=1}^m \frac{\partial f}{\partial \hat{x}_j}",
        "dmu",
        True,
    ),
    (
        r"\frac{\partial f}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2+\epsilon}}"
        r" + \frac{\partial f}{\partial \sigma^2}\frac{2(x_i-\mu)}{m} + \frac{\partial f}{\partial \mu}\frac{1}{m}",
        "dx_i",
        True,
    ),
    (
        r"\frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}\left(m \frac{\partial f}{\partial y_i} - \sum_{j=1}^m"
        r" \frac{\partial f}{\partial y_j} - \hat{x}_i\sum_{j=1}^m \frac{\partial f}{\partial y_j}\hat{x}_j\right)",
        "dx_i",
        True,
    ),
    (
        r"\frac{\partial f}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2}} + \frac{\partial f}{\partial \mu}\frac{1}{m}",
        "dx_i",
        False,
    ),
    (r"\sum_{j=1}^m \frac{\partial f}{\partial y_j} x_j", "dgamma", False),
]


@pytest.mark.parametrize(("raw", "quantity", "matches"), PARSED)
def test_parsed_answers(raw: str, quantity: str, matches: bool) -> None:
    answer = ANSWERS["batchnorm"]
    parsed = answer.parse(raw)
    assert not isinstance(parsed, ParseFailure), parsed
    assert answer.compare(parsed, answer.target(quantity=quantity)).matches is matches
    assert answer.latex(parsed)


@pytest.mark.parametrize(
    "raw",
    [
        "__import__('os')",
        "().__class__",
        "9^9^9",
        "x_{i+1}" * 500,
        "\\sum_{j=1}^{10^{9}} x_j",
        "((((((((" * 20,
    ],
)
def test_hostile_text_fails_or_is_refused_quietly(raw: str) -> None:
    answer = ANSWERS["batchnorm"]
    parsed = answer.parse(raw)
    if isinstance(parsed, ParseFailure):
        return
    result = answer.compare(parsed, answer.target(quantity="dx_i"))
    assert result.matches is False and result.hint


def test_matrix_answer_parsed() -> None:
    answer = ANSWERS["dense_network"]
    parsed = answer.parse(r"\text{ReLU}(\text{ReLU}(X W_h + \mathbf{1}_m b_h^T) W_o + b_o)")
    assert not isinstance(parsed, ParseFailure), parsed
    assert answer.compare(parsed, answer.target(quantity="Y")).matches


def test_evaluation_is_reused_across_the_reference_and_its_mistakes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answer = ANSWERS["batchnorm"]
    calls: list[SampleBatch] = []

    def counting(tree: sympy.Basic, batch: SampleBatch) -> FloatArray:
        calls.append(batch)
        return evaluate(tree, batch)

    monkeypatch.setattr(expression_module, "evaluate", counting)
    tree = add(div(dxhat_i, std), div(dmu, m))
    targets = [answer.target(quantity=q) for q in ("dx_i", "dx_i_no_mu_path", "dx_i_no_var_path")]
    verdicts = [answer.compare(tree, target).matches for target in targets]
    assert verdicts == [False, False, True]
    assert len(calls) == len(answer.context.batches())


@pytest.mark.parametrize(
    ("raw", "hint"),
    [
        (
            r"\sum_i \frac{\partial f}{\partial y_i} \hat{x}_k",
            messages.not_the_free_index("k", "i"),
        ),
        (
            r"\frac{\partial f}{\partial y_i} - \frac{\partial f}{\partial y_j}",
            messages.missing_sum("j"),
        ),
        (r"\gamma \frac{\partial f}{\partial y_j}", messages.not_the_free_index("j", "i")),
    ],
)
def test_an_index_left_where_a_sum_belongs_is_named(raw: str, hint: str) -> None:
    answer = ANSWERS["batchnorm"]
    parsed = answer.parse(raw)
    assert not isinstance(parsed, ParseFailure), parsed
    assert answer.compare(parsed, answer.target(quantity="dxhat_i")) == Comparison(False, hint)
