"""parse_expression and to_plain: spellings, indices, derivatives, sums, targets, hostile text."""

import time

import pytest
import sympy

from app.grading.failures import ParseFailure
from app.grading.mathparse import parse_expression, to_plain
from app.grading.mathparse.functions import ReLU, Transpose
from app.grading.mathparse.vocabulary import SymbolSpec, Vocabulary
from tests.bounds import NO_HANG_S
from tests.grading.mathparse.conftest import numeric, trusted

# (student text, canonical SymPy syntax written by the test author)
EQUIVALENT = [
    (r"\gamma \hat{x}_i + \beta", "gamma*xhat[i] + beta"),
    (r"\gamma \hat{x_i} + \beta", "gamma*xhat[i] + beta"),
    (r"\gamma\hat x_i+\beta", "gamma*xhat[i] + beta"),
    ("gamma*xhat_i + beta", "gamma*xhat[i] + beta"),
    ("γ x̂ᵢ + β", "gamma*xhat[i] + beta"),
    (r"\frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}}", "(x[i] - mu)/sqrt(sigma2 + eps)"),
    (r"\dfrac{x_i-\mu}{\sqrt{\sigma^{2}+\varepsilon}}", "(x[i] - mu)/sqrt(sigma2 + eps)"),
    ("(x_i - mu)/sqrt(var + eps)", "(x[i] - mu)/sqrt(sigma2 + eps)"),
    ("(x_i − μ)/√(σ² + ε)", "(x[i] - mu)/sqrt(sigma2 + eps)"),
    (r"(x_i-\mu)(\sigma^2+\epsilon)^{-1/2}", "(x[i] - mu)*(sigma2 + eps)**(-1/2)"),
    (
        r"\left( x_i - \mu \right) \cdot \left[\sigma^2 + \epsilon\right]^{-0.5}",
        "(x[i] - mu)*(sigma2 + eps)**(-1/2)",
    ),
    (r"\frac12 m", "m/2"),
    (r"\tfrac{1}{2}\, m", "m/2"),
    ("2mx_i", "2*m*x[i]"),
    (r"\sigma \cdot \sigma", "sigma**2"),
    (r"\sigma \times \sigma^{2}", "sigma*sigma2"),
    ("sigma**2", "sigma2"),
    ("sigma*sigma", "sigma**2"),
    ("sigma^2", "sigma2"),
    ("{m}^{2}", "m**2"),
    (r"\{ m + 1 \} m", "(m + 1)*m"),
    (r"\displaystyle \Big( m \Big)", "m"),
    ("$m + 1$", "m + 1"),
    ("2^3^2", "2**9"),
    ("-m^2", "-(m**2)"),
    ("m * -2", "-2*m"),
    ("x_{i+1} - x_{i-1} + x_1", "x[i+1] - x[i-1] + x[1]"),
    ("x[i] + x_m", "x[i] + x[m]"),
    # derivatives resolve to the derivative symbol and carry the index
    (r"\frac{\partial f}{\partial y_i}", "dy[i]"),
    (r"\frac{\partial L}{\partial y_{i}}", "dy[i]"),
    (r"\frac{df}{dy_i}", "dy[i]"),
    (r"\frac{d f}{d y_i}", "dy[i]"),
    ("dL/dy_i", "dy[i]"),
    ("df/dy_i", "dy[i]"),
    (r"\partial f/\partial y_i", "dy[i]"),
    ("∂f/∂y_i", "dy[i]"),
    (r"\frac{\partial \ell}{\partial \hat{x}_i}", "dxhat[i]"),
    (r"\frac{\partial \mathcal{L}}{\partial \hat{x_i}}", "dxhat[i]"),
    (r"\frac{\partial J}{\partial \sigma^2}", "dsigma2"),
    (r"\frac{\partial E}{\partial \sigma^{2}}", "dsigma2"),
    (r"\frac{\partial f}{\partial \mu}", "dmu"),
    ("dy_i", "dy[i]"),
    # sums: limits, defaults, scope
    (r"\sum_{j=1}^{m} x_j", "Sum(x[j], (j, 1, m))"),
    (r"\sum_{j=1}^m x_j", "Sum(x[j], (j, 1, m))"),
    (r"\sum\limits_{j=1}^{m} x_j", "Sum(x[j], (j, 1, m))"),
    (r"\sum_j x_j", "Sum(x[j], (j, 1, m))"),
    (r"\sum_{j} x_j", "Sum(x[j], (j, 1, m))"),
    ("sum_{j=1}^m x_j", "Sum(x[j], (j, 1, m))"),
    ("sum_j x_j", "Sum(x[j], (j, 1, m))"),
    ("∑_j x_j", "Sum(x[j], (j, 1, m))"),
    ("Sum(x[j], j, 1, m)", "Sum(x[j], (j, 1, m))"),
    (r"\sum_{j=2}^{m-1} x_j", "Sum(x[j], (j, 2, m - 1))"),
    (r"\sum_j x_j \hat{x}_j + m", "Sum(x[j]*xhat[j], (j, 1, m)) + m"),
    (r"\sum_j (x_j + \hat{x}_j)", "Sum(x[j] + xhat[j], (j, 1, m))"),
    (r"m - \sum_j x_j", "m - Sum(x[j], (j, 1, m))"),
    (r"\sum_j x_j \frac{1}{m} \sum_k x_k", "Sum(x[j]*Sum(x[k], (k, 1, m))/m, (j, 1, m))"),
    (r"x_i + \sum_{i=1}^m x_i", "x[i] + Sum(x[i], (i, 1, m))"),
    (
        r"\frac{1}{m}\sum_{j=1}^{m}\frac{\partial f}{\partial y_j}\hat{x}_j",
        "Sum(dy[j]*xhat[j], (j, 1, m))/m",
    ),
    # the sample notation of many courses: x^{(i)} is x_i
    (r"\hat{x}^{(i)} + \sum_j x^{(j)}", "xhat[i] + Sum(x[j], (j, 1, m))"),
    (r"\frac{\partial f}{\partial y^{(i)}}", "dy[i]"),
    ("x^(i+1)", "x[i+1]"),
    (r"\hat{x}_i^2", "xhat[i]**2"),
    (r"(x^{(i)})^2", "x[i]**2"),
    # a sum with only its upper limit starts at 1
    (r"\sum_{j}^{m} x_j", "Sum(x[j], (j, 1, m))"),
    (r"\sum_j^m x_j", "Sum(x[j], (j, 1, m))"),
    # bold is only typography
    (r"\mathbf{x}_i + \boldsymbol{\mu} + \hat{\bm{x}}_i", "x[i] + mu + xhat[i]"),
    # a leading target is dropped
    (r"\frac{\partial f}{\partial x_i} = \gamma", "gamma"),
    (r"\frac{\partial \ell}{\partial x_i} = \gamma", "gamma"),
    (r"\frac{\mathrm{d}L}{\mathrm{d}x_i} = \gamma", "gamma"),
    (r"\partial f / \partial x_{i} = \gamma", "gamma"),
    (r"\dfrac{\partial \mathcal{L}}{\partial x_i} = \gamma", "gamma"),
    (r"\lim_{m \to \infty} \frac{\partial f}{\partial x_i} = \gamma", "gamma"),
    ("(dx) = gamma", "gamma"),
    ("dL/dx_i = gamma", "gamma"),
    ("dx=gamma", "gamma"),
    # the Kronecker delta, and a sum that leaves one index out
    (r"\sum_j \delta_{ij} x_j", "x[i]"),
    (r"\sum_{j=1}^m x_j \delta_{j,i}", "x[i]"),
    (r"δ_{i 2}", "KroneckerDelta(i, 2)"),
    (r"\sum_{j \neq i} x_j", "Sum(x[j]*(1 - KroneckerDelta(j, i)), (j, 1, m))"),
    (r"\sum_{j \ne i}^{m} x_j", "Sum(x[j]*(1 - KroneckerDelta(j, i)), (j, 1, m))"),
    (r"\sum_{j=1, j \neq i}^{m} x_j", "Sum(x[j]*(1 - KroneckerDelta(j, i)), (j, 1, m))"),
    (r"\sum_{j=2,j\neq i}^{m} x_j", "Sum(x[j]*(1 - KroneckerDelta(j, i)), (j, 2, m))"),
    (r"\sum_{j ≠ i} x_j \hat{x}_j", "Sum(x[j]*xhat[j]*(1 - KroneckerDelta(j, i)), (j, 1, m))"),
    # labels only annotate: the labelled part is read, the label is not
    (r"\underbrace{\gamma x_i}_{\text{scaled input, see (2)}} + \beta", "gamma*x[i] + beta"),
    (r"\gamma \overbrace{(x_i - \mu)}^{\text{centred}}", "gamma*(x[i] - mu)"),
    (r"\underbrace{\gamma}_a x_i", "gamma*x[i]"),
    (r"\underbrace{\underbrace{\gamma}_{1} x_i}_{\{2\}}", "gamma*x[i]"),
]


@pytest.mark.parametrize(("raw", "canonical"), EQUIVALENT)
def test_spellings_parse_to_the_canonical_expression(
    raw: str, canonical: str, batchnorm: Vocabulary
) -> None:
    parsed = parse_expression(raw, batchnorm)
    assert not isinstance(parsed, ParseFailure), parsed
    expected = trusted(canonical, batchnorm)
    for seed in range(3):
        assert numeric(parsed, seed) == pytest.approx(numeric(expected, seed), rel=1e-9)


@pytest.mark.parametrize(("raw", "canonical"), EQUIVALENT)
def test_plain_syntax_is_a_fixed_point(raw: str, canonical: str, batchnorm: Vocabulary) -> None:
    plain = to_plain(raw, batchnorm)
    assert isinstance(plain, str), plain
    assert to_plain(plain, batchnorm) == plain


def test_sum_scope_binds_its_own_index(batchnorm: Vocabulary) -> None:
    parsed = parse_expression(r"x_i + \sum_{i=1}^m x_i", batchnorm)
    assert isinstance(parsed, sympy.Add)
    free = {symbol.name for symbol in parsed.free_symbols}
    assert "i" in free
    summed = next(arg for arg in parsed.args if isinstance(arg, sympy.Sum))
    assert "i" not in {str(symbol) for symbol in summed.free_symbols}


def test_indices_are_integer_symbols(batchnorm: Vocabulary) -> None:
    parsed = parse_expression(r"\sum_j x_j", batchnorm)
    assert isinstance(parsed, sympy.Sum)
    index = parsed.limits[0][0]
    assert index.is_integer and index.name == "j"


@pytest.mark.parametrize("raw", ["x_k", r"\sum_j x_k", r"x_j + \sum_j x_j"])
def test_an_index_no_sum_binds_is_readable(raw: str, batchnorm: Vocabulary) -> None:
    # Leaving out a sum is a wrong answer, graded as one; it is not unreadable text.
    assert not isinstance(parse_expression(raw, batchnorm), ParseFailure)


FAILURES = [
    ("q", "The answer cannot be read: unknown symbol 'q'."),
    ("m q", "The answer cannot be read: unknown symbol 'q'."),
    (r"\alpha", r"The answer cannot be read: unknown symbol '\alpha'."),
    ("g(m)", "The answer cannot be read: unknown function 'g'."),
    ("exp(m)", "The answer cannot be read: unknown function 'exp'."),
    ("x", "The answer cannot be read: x needs an index, as in x_i."),
    ("m_i", "The answer cannot be read: m does not take an index."),
    (
        "m = gamma",
        "The answer cannot be read: the left side of '=' is not the quantity asked for; write only the expression.",
    ),
    (
        "dx = m = gamma",
        "The answer cannot be read: only one '=' is allowed, after the name of the quantity.",
    ),
    (
        r"\frac{\partial f}{\partial \beta}",
        "The answer cannot be read: this derivative is not one of the quantities that may be used here.",
    ),
    (r"\sum x_j", r"The answer cannot be read: write the sum's index, as in \sum_{j=1}^{m}."),
    (
        r"\sum_{j=1} x_j",
        r"The answer cannot be read: write both limits of the sum, as in \sum_{j=1}^{m}.",
    ),
    (
        r"x_1 + \dots + x_m",
        r"The answer cannot be read: write a sum with \sum_{j=1}^{m}, not with dots.",
    ),
    (
        r"x_1 + \cdots + x_m",
        r"The answer cannot be read: write a sum with \sum_{j=1}^{m}, not with dots.",
    ),
    (
        r"\frac{\partial y_i}{\partial \gamma}",
        "The answer cannot be read: this derivative is not one of the quantities that may be used here.",
    ),
    (r"\hat{x}", r"The answer cannot be read: \hat{x} needs an index, as in \hat{x}_i."),
    # only a letter is read as a sample superscript; x^{(2)} may be a misplaced power
    (r"\hat{x}^{(2)}", r"The answer cannot be read: \hat{x} needs an index, as in \hat{x}_i."),
    (r"x^{2}", "The answer cannot be read: x needs an index, as in x_i."),
    (
        r"\frac{\partial f}{\partial x_j} = \gamma",
        "The answer cannot be read: the left side of '=' is not the quantity asked for; write only the expression.",
    ),
    (
        r"\frac{\partial f}{\partial \mu} = \gamma",
        "The answer cannot be read: the left side of '=' is not the quantity asked for; write only the expression.",
    ),
    (
        r"\sum_{m} m",
        "The answer cannot be read: m is already a symbol here; use another letter as the sum's index.",
    ),
    (r"\sqrt[3]{m}", "The answer cannot be read: only square roots are supported."),
    ("max(1, m)", "The answer cannot be read: max is only understood as max(0, ...) (the ReLU)."),
    ("2 3", "The answer cannot be read: '3' is not expected here."),
    ("m +", "The answer cannot be read: it ends too early."),
    ("m / 0", "The answer cannot be read: it divides by zero."),
    (r"\gamma + \frac{1}{2 - 2}", "The answer cannot be read: it divides by zero."),
    (r"m \cdot 0^{-1}", "The answer cannot be read: it divides by zero."),
    (r"m^{0^0}", "The answer cannot be read: 0 to the power 0 is undefined."),
    (r"\sqrt{-1} m", "The answer cannot be read: its value is not a real number."),
    (
        "m * 1e-400",
        "The answer cannot be read: a number or power is too large or too small to work with.",
    ),
    ("", "The answer is empty."),
    ("   ", "The answer is empty."),
    (
        r"\delta_i",
        r"The answer cannot be read: write the Kronecker delta with its two indices, as in \delta_{ij}.",
    ),
    (
        r"\delta_{ijk}",
        r"The answer cannot be read: write the Kronecker delta with its two indices, as in \delta_{ij}.",
    ),
    (
        r"\delta_{\gamma j}",
        "The answer cannot be read: an index must be a letter, a whole number, or a letter plus or minus a number.",
    ),
    (r"\delta", r"The answer cannot be read: unknown symbol '\delta'."),
    (
        r"\sum_{j=1, k \neq i}^{m} x_j",
        r"The answer cannot be read: leave a term out of a sum as in \sum_{j=1, j \neq i}^{m}.",
    ),
    (
        r"\sum_{j=1, j = i}^{m} x_j",
        r"The answer cannot be read: leave a term out of a sum as in \sum_{j=1, j \neq i}^{m}.",
    ),
    (
        r"\sum_{j \neq} x_j",
        "The answer cannot be read: an index must be a letter, a whole number, or a letter plus or minus a number.",
    ),
    (
        r"\underbrace{\gamma}_{\text{open",
        "The answer cannot be read: '\\text' is not expected here.",
    ),
    (r"\underbrace{\gamma", "The answer cannot be read: this '{' has no matching bracket."),
]


@pytest.mark.parametrize(("raw", "message"), FAILURES)
def test_bad_answers_say_what_is_wrong(raw: str, message: str, batchnorm: Vocabulary) -> None:
    result = parse_expression(raw, batchnorm)
    assert isinstance(result, ParseFailure)
    assert result.message == message


@pytest.mark.parametrize(
    ("raw", "position"),
    [
        ("m + q", 4),
        ("x_{1.5}", 3),
        ("m + (m", 4),
        ("m )", 2),
        (" μ + q", 5),
        ("x̂ᵢ + q", 6),
        ("m ; m", 2),
    ],
)
def test_failures_point_into_the_raw_text(raw: str, position: int, batchnorm: Vocabulary) -> None:
    result = parse_expression(raw, batchnorm)
    assert isinstance(result, ParseFailure)
    assert result.position == position


NETWORK_PLAIN = [
    (
        r"\text{ReLU}(\text{ReLU}(X W_h + 1_m b_h) W_o + \mathbf{1}_m b_o)",
        "ReLU(ReLU(X*W_h + ones*b_h)*W_o + ones*b_o)",
    ),
    (r"ReLU(X W_{h} + b_h)", "ReLU(X*W_h + b_h)"),
    (r"Relu(X \cdot W_h)", "ReLU(X*W_h)"),
    (r"relu\left(X W_h\right)", "ReLU(X*W_h)"),
    (r"\mathrm{ReLU}(X)", "ReLU(X)"),
    (r"\operatorname{ReLU}(X)", "ReLU(X)"),
    (r"\max(0, X W_h)", "ReLU(X*W_h)"),
    (r"max(X W_h, 0)", "ReLU(X*W_h)"),
    (r"\max\{0, X W_h\}", "ReLU(X*W_h)"),
    ("W_h^T X^T", "transpose(W_h)*transpose(X)"),
    (r"W_h^\top", "transpose(W_h)"),
    (r"W_h^{T}", "transpose(W_h)"),
    (r"W_h^{\top}", "transpose(W_h)"),
    ("W_h'", "transpose(W_h)"),
    ("W_h⊤", "transpose(W_h)"),
    ("(X W_h)^T", "transpose(X*W_h)"),
    ("W_h^{-1}", "W_h**(-1)"),
    ("Y = X W_h", "X*W_h"),
    (r"\tilde{X} = X", "X"),
    (r"\widetilde{X} = X", "X"),
    ("X~ = X", "X"),
    (r"\mathbf{Y} = \mathbf{X} \mathbf{W}_h", "X*W_h"),
    (r"W_h^{-T}", "transpose(W_h**(-1))"),
    (r"W_h^{-\top} X^T", "transpose(W_h**(-1))*transpose(X)"),
    (r"X\frac{1}{W_h}", "X*(1/W_h)"),
    ("X / 2", "X/2"),
]

MATRIX_FAILURES = [
    ("X / W_h", "The answer cannot be read: dividing a matrix by a matrix is ambiguous"),
    (
        r"\frac{X W_h}{W_o}",
        "The answer cannot be read: dividing a matrix by a matrix is ambiguous",
    ),
    ("~X", "The answer cannot be read: the character '~' cannot be used in an answer"),
    ("X~~", "The answer cannot be read: the character '~' cannot be used in an answer"),
    ("W_h~", "The answer cannot be read: the character '~' cannot be used in an answer"),
]


@pytest.mark.parametrize(("raw", "message"), MATRIX_FAILURES)
def test_matrix_answers_refuse_ambiguous_forms(raw: str, message: str, network: Vocabulary) -> None:
    result = parse_expression(raw, network)
    assert isinstance(result, ParseFailure)
    assert result.message.startswith(message)


@pytest.mark.parametrize(("raw", "plain"), NETWORK_PLAIN)
def test_matrix_answers_translate_in_order(raw: str, plain: str, network: Vocabulary) -> None:
    assert to_plain(raw, network) == plain


def test_matrix_products_keep_their_order(network: Vocabulary) -> None:
    parsed = parse_expression(r"ReLU(X W_h + 1_m b_h)^T", network)
    assert isinstance(parsed, Transpose)
    inner = parsed.args[0]
    assert isinstance(inner, ReLU)
    product = inner.args[0].args[0]
    assert [str(factor) for factor in product.args] == ["X", "W_h"]
    assert not product.args[0].is_commutative


def test_inverse_of_a_matrix_is_a_power(network: Vocabulary) -> None:
    parsed = parse_expression("W_h^{-1}", network)
    assert isinstance(parsed, sympy.Pow) and parsed.exp == -1


def test_subtraction_and_division_shapes(batchnorm: Vocabulary) -> None:
    parsed = parse_expression("m - gamma / beta", batchnorm)
    m, gamma, beta = sympy.symbols("m gamma beta")
    negated = sympy.Mul(
        -1, sympy.Mul(gamma, sympy.Pow(beta, -1, evaluate=False), evaluate=False), evaluate=False
    )
    assert parsed == sympy.Add(m, negated, evaluate=False)


def test_decimals_are_exact(batchnorm: Vocabulary) -> None:
    parsed = parse_expression("0.5 m + 1e-3", batchnorm)
    assert not isinstance(parsed, ParseFailure)
    assert sympy.Rational(1, 2) in parsed.atoms(sympy.Rational)
    assert sympy.Rational(1, 1000) in parsed.atoms(sympy.Rational)


HOSTILE = [
    "__import__('os').system('ls')",
    "().__class__.__bases__[0]",
    "x.__class__",
    "lambda: 1",
    "[x for x in ()]",
    "9^9^9",
    "10**10**10",
    "2^(2^(2^(2^(2^99))))",
    "m^1001",
    "x_i^{10^{10}}",
    "(" * 10000,
    "{" * 5000,
    "(" * 41 + "m" + ")" * 41,
    "x" * 1_000_000,
    "1" * 100000,
    "1" * 61,
    "\\frac{" * 3000,
    "\\frac{" * 300,
    "\\sqrt" * 600 + " m",
    "-" * 1500 + "m",
    "m^" * 600 + "m",
    "2^-" * 400 + "2",
    "1/" * 900 + "2",
    "\\sum_j " * 300 + "x_j",
    "\\sum_j " * 45 + "m",
    "nan",
    "inf",
    "1e999",
    "1e99999999999",
    "\\infty",
    "open('f')",
    "x; import os",
    "x if 1 else 2",
    "a == b",
    "'str'",
    "b'x'",
    "f'{x}'",
    "x[::]",
    "x[i, j]",
    "x[i:j]",
    "globals()",
    "\\input{/etc/passwd}",
    "\\def\\x{}",
    "\\newcommand",
    "\\\\",
    "m\x00",
    "m\u202e",
    "m\u200b",
    "m @ m",
    "m % 2",
    "m // 2",
    "~m",
    "not m",
    "m and m",
    "m | m",
    "m << 1",
    "{m: 1}",
    "{m, m}",
    "(m, m)",
    "1j",
    "True",
    "None",
    "...",
    "m:=1",
    "*m",
    "**m",
    "await m",
    "yield m",
    "m.real",
    "m(m=1)",
    "sqrt(m, m)",
    "sqrt(*m)",
    "Sum(m, j, 1)",
    "Sum(x[j], m, 1, m)",
    "x[x[i]]",
    "x[1.5]",
    "$$",
    "\\text{os.system}",
    "\\left| m \\right|",
    "m ! ",
    "m\n= m",
    # the notations read since: labels, the Kronecker delta, sums leaving an index out
    "\\underbrace{" * 2000,
    "\\underbrace{m}_{" * 1000,
    "\\overbrace{m}^" * 1000,
    "\\underbrace{m}_{\\text{" + "}" * 5000,
    "\\sum_{j \\neq i}" * 500 + "x_j",
    "\\delta_{ij}" * 3000,
    "KroneckerDelta(i, KroneckerDelta(i, j))",
    "KroneckerDelta(i)",
    "\\delta_{i}{j}",
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_text_fails_quickly(raw: str, batchnorm: Vocabulary) -> None:
    start = time.perf_counter()
    result = parse_expression(raw, batchnorm)
    assert time.perf_counter() - start < NO_HANG_S
    assert isinstance(result, ParseFailure), result
    assert isinstance(to_plain(raw, batchnorm), str | ParseFailure)


def test_a_typical_answer_parses_the_same_every_time(batchnorm: Vocabulary) -> None:
    raw = r"\frac{1}{m}\sum_{j=1}^{m} \frac{\partial f}{\partial y_j} (x_j - \mu) (\sigma^2 + \epsilon)^{-1/2}"
    first = parse_expression(raw, batchnorm)
    assert not isinstance(first, ParseFailure)
    assert all(parse_expression(raw, batchnorm) == first for _ in range(5))


ZERO_FOR_O = Vocabulary(
    symbols=(
        SymbolSpec("W_o", "W_o", ("W_{o}",), shape=(50, 3)),
        SymbolSpec("b_o", "b_o", shape=(3,)),
        SymbolSpec("x", "x", indexed=True),
        SymbolSpec("x_o", "x_o"),
        SymbolSpec("V_0", "V_0"),
        SymbolSpec("V_o", "V_o"),
    ),
    free_indices=("i",),
)


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        # the subscript letter o written as a zero
        ("W_0 + b_0", "W_o + b_o"),
        ("W_{0}", "W_o"),
        # x is indexed, so x_0 is its entry 0; a symbol really spelled V_0 keeps its name
        ("x_0", "x[0]"),
        ("x_o", "x_o"),
        ("V_0", "V_0"),
        ("V_o", "V_o"),
    ],
)
def test_a_zero_reads_as_the_letter_o_only_where_zero_means_nothing(raw: str, plain: str) -> None:
    assert to_plain(raw, ZERO_FOR_O) == plain
