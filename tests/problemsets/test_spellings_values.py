"""The value fields of both sets as a class of students types them: shapes, numbers, vectors,
matrices, choices, edge lists and uploads, end to end through the problem files."""

import time

import pytest

from app.grading.result import FieldResult, Verdict
from app.grading.runner import InProcessRunner
from app.problemsets.catalog import ProblemCatalog

D, E = "dl-ex1", "eecs182-hw5"
EDGES = "X->mu, X->sigma^2, X->Z, mu->Z, sigma^2->Z, Z->Y, gamma->Y, beta->Y"

# Each row: problem set, field, answer as a student types it.
ACCEPTED = [
    # Shapes: product signs, words, tuples, real spaces, names in front, pasted wrappers.
    (D, "q1.a", "m×10"),
    (D, "q1.a", "m by 10"),
    (D, "q1.a", "m-by-10"),
    (D, "q1.a", "m*10"),
    (D, "q1.a", r"m \cdot 10"),
    (D, "q1.a", "m X 10"),
    (D, "q1.a", "(m,10,)"),
    (D, "q1.a", r"\left(m, 10\right)"),
    (D, "q1.a", "R^(m x 10)"),
    (D, "q1.a", "X ∈ ℝ^{m×10}"),
    (D, "q1.a", "X ∈ ℝᵐˣ¹⁰"),
    (D, "q1.a", r"\mathbf{X} \in \mathbb{R}^{m \times 10}"),
    (D, "q1.a", r"$X \in \R^{m \times 10}$"),
    (D, "q1.a", "X: m x 10"),
    (D, "q1.a", "X.shape = (m, 10)"),
    (D, "q1.a", "m\u00a0x\u00a010"),
    (D, "q1.a", "`m x 10`"),
    (D, "q1.a", r"\boxed{m \times 10}"),
    (D, "q1.a", r"\[m \times 10\]"),
    (D, "q1.b.W_h", "10X50"),
    (D, "q1.b.W_h", r"\mathbf{W}_h \in \mathbb{R}^{10 \times 50}"),
    (D, "q1.b.W_h", "Wh: 10x50"),
    (D, "q1.b.W_h", "W_hidden = (10, 50)"),
    (D, "q1.b.W_h", r"W^{(1)} \in \mathbb{R}^{10 \times 50}"),
    (D, "q1.b.W_h", r"W_1 \in \mathbb{R}^{10 \times 50}"),
    (D, "q1.b.W_h", r"W \in \mathbb{R}^{10 \times 50}"),
    (D, "q1.b.b_h", "(1, 50)"),
    (D, "q1.b.b_h", r"b_h \in \mathbb{R}^{50}"),
    (D, "q1.b.b_h", r"b_h \in \mathbb{R}^{1 \times 50}"),
    (D, "q1.b.b_h", "ℝ⁵⁰"),
    (D, "q1.b.b_h", "R^50"),
    (D, "q1.b.b_h", "(50)"),
    (D, "q1.b.b_h", "b_{h} = (50,)"),
    (D, "q1.c.W_o", r"W_{out}: (50, 3)"),
    (D, "q1.c.W_o", r"W^{[2]} \in \mathbb{R}^{50\times3}"),
    (D, "q1.c.b_o", r"b_o \in \mathbb{R}^3"),
    (D, "q1.c.b_o", "ℝ³"),
    (D, "q1.c.b_o", r"1\times 3"),
    (D, "q1.d", r"\hat{Y} \in \mathbb{R}^{m \times 3}"),
    (D, "q1.d", "Y: m×3"),
    # Numbers: separators, scientific notation, arithmetic with x, working, units.
    (D, "q2.layer1", r"2\,800"),
    (D, "q2.layer1", "2{,}800"),
    (D, "q2.layer1", "2'800"),
    (D, "q2.layer1", "2.8E3"),
    (D, "q2.layer1", "2.8x10^3"),
    (D, "q2.layer1", "2.8×10³"),
    (D, "q2.layer1", "(3 x 3 x 3 + 1) x 100"),
    (D, "q2.layer1", r"(3\cdot3\cdot3+1)\cdot100"),
    (D, "q2.layer1", "100(27+1)"),
    (D, "q2.layer1", "2800 parameters"),
    (D, "q2.layer1", r"2800 \text{ params}"),
    (D, "q2.layer1", "(3*3*3+1)*100 = 2800"),
    (D, "q2.layer1", "= 2800"),
    (D, "q2.layer1", "２８００"),
    (D, "q2.layer1", "\ufeff2800"),
    (D, "q2.layer1", "`2800`"),
    (D, "q2.layer2", "1.802 \\times 10^{5}"),
    (D, "q2.layer2", "3*3*100*200+200"),
    (D, "q2.layer3", "(9*200+1)*400"),
    (D, "q2.total", "2,800 + 180,200 + 720,400"),
    (D, "q2.total", r"\approx 903400"),
    (D, "q2.total", r"903\ 400"),
    (D, "q2.total", "903\u202f400"),
    (D, "q2.total", r"\boxed{903400}"),
    (D, "q2.total", "0.9034 \\times 10^6"),
    (E, "q2.b.n1", "-0"),
    (E, "q2.b.n1", r"\frac{\partial L}{\partial x_i} = 0"),
    (E, "q2.b.n1", "dL/dx_i = 0"),
    (E, "q2.b.n1", r"\gamma(1-1)\frac{\partial L}{\partial y_1} = 0"),
    (E, "q3.a", "3x3x3x4"),
    (E, "q3.a", "3 x 3 x 3 x 4"),
    (E, "q3.a", "108 parameters"),
    (E, "q3.a", "27*4 = 108"),
    (E, "q3.a", "k^2 C_{in} C_{out} = 108"),
    (E, "q3.a", "1.08e2"),
    (E, "q3.b", "3x3x3 + 1x1x3x4"),
    (E, "q3.b", "9*3 + 3*4 = 39"),
    (E, "q3.b", r"3 \cdot 3 \cdot 3 + 1 \cdot 1 \cdot 3 \cdot 4"),
    # Vectors: transposes, notebook output, braces, factors in front, one entry per line.
    (E, "q1.b", "[2, -1, 3]^T"),
    (E, "q1.b", r"[2, -1, 3]^\top"),
    (E, "q1.b", "[2, -1, 3]'"),
    (E, "q1.b", "[2, -1, 3]ᵀ"),
    (E, "q1.b", r"\begin{bmatrix} 2 & -1 & 3 \end{bmatrix}^T"),
    (E, "q1.b", "np.array([2, -1, 3])"),
    (E, "q1.b", "array([ 2, -1,  3])"),
    (E, "q1.b", "tensor([ 2., -1.,  3.])"),
    (E, "q1.b", "{2, -1, 3}"),
    (E, "q1.b", r"\{2, -1, 3\}"),
    (E, "q1.b", "2\n-1\n3"),
    (E, "q1.b", "[2, −1, 3]"),
    (E, "q1.b", "h = [2, -1, 3]"),
    (E, "q1.b", "```[2, -1, 3]```"),
    (E, "q1.b", "[2\\quad -1\\quad 3]"),
    (E, "q5.a", r"\frac{11}{101}[10, 1]"),
    (E, "q5.a", r"\frac{11}{101}\begin{bmatrix}10\\1\end{bmatrix}"),
    (E, "q5.a", r"\frac{11}{101} [10, 1]^T"),
    (E, "q5.a", "11/101 * [10, 1]"),
    (E, "q5.a", r"w = \frac{11}{101}\begin{pmatrix}10\\1\end{pmatrix}"),
    (E, "q5.a", "(110/101, 11/101)^T"),
    (E, "q5.a", "w = [1.089, 0.109]^T"),
    (E, "q5.a", r"[\dfrac{110}{101}, \tfrac{11}{101}]"),
    (E, "q5.a", r"\hat{w} = [110/101, 11/101]"),
    (E, "q5.a", "[1.09, 0.109]"),
    (E, "q5.c", r"\frac{11}{30}[1, 10]"),
    (E, "q5.c", r"\frac{11}{30}\begin{bmatrix}1 \\ 10\end{bmatrix}"),
    (E, "q5.c", "[0.3667, 3.6667]"),
    (E, "q5.c", "[0.366, 3.666]"),
    # Matrices: transposed input with ^T, numpy and torch output, rows on lines, Mathematica.
    (E, "q1.c", "[[-1, 3, 0], [3, -3, 3], [-2, 1, 1]]^T"),
    (E, "q1.c", r"\begin{bmatrix} -1 & 3 & 0 \\ 3 & -3 & 3 \\ -2 & 1 & 1 \end{bmatrix}^\top"),
    (E, "q1.c", "np.array([[-1, 3, 0], [3, -3, 3], [-2, 1, 1]]).T"),
    (E, "q1.c", "array([[-1,  3, -2],\n       [ 3, -3,  1],\n       [ 0,  3,  1]])"),
    (
        E,
        "q1.c",
        "tensor([[-1.,  3., -2.],\n        [ 3., -3.,  1.],\n"
        "        [ 0.,  3.,  1.]], dtype=torch.float64)",
    ),
    (E, "q1.c", "[[-1  3 -2]\n [ 3 -3  1]\n [ 0  3  1]]"),
    (E, "q1.c", "-1 3 -2\n3 -3 1\n0 3 1"),
    (E, "q1.c", "[-1 3 -2\n3 -3 1\n0 3 1]"),
    (E, "q1.c", "{{-1, 3, -2}, {3, -3, 1}, {0, 3, 1}}"),
    (E, "q1.c", "[[-1, 3, -2],\r\n [3, -3, 1],\r\n [0, 3, 1]]"),
    (E, "q1.c", r"\begin{array}{ccc} -1 & 3 & -2 \\ 3 & -3 & 1 \\ 0 & 3 & 1 \end{array}"),
    # Choices: a letter with its explanation, a figure's name, full-width letters.
    (E, "q2.a.batchnorm", "A (batch norm)"),
    (E, "q2.a.batchnorm", "A - batch norm"),
    (E, "q2.a.batchnorm", "A: N, H, W"),
    (E, "q2.a.batchnorm", "grouping A"),
    (E, "q2.a.batchnorm", "figure A"),
    (E, "q2.a.batchnorm", "Ａ"),
    (E, "q2.a.batchnorm", "**A**"),
    (E, "q2.a.batchnorm", r"\boxed{A}"),
    (E, "q2.a.batchnorm", "The answer is A"),
    (E, "q2.a.layernorm", "B - layer normalization"),
    (E, "q2.a.layernorm", "(b)"),
    # Edge lists: fan-out braces, the paper's batch subscripts, x-hat for Z, other arrows.
    (E, "q6.a", "X -> {mu, sigma^2, Z}, mu -> Z, sigma^2 -> Z, {Z, gamma, beta} -> Y"),
    (E, "q6.a", EDGES.replace("Z", r"\hat{x}").replace("Y", "y")),
    (
        E,
        "q6.a",
        r"X -> \mu_B, X -> \sigma_B^2, X -> Z, \mu_B -> Z, \sigma_B^2 -> Z, Z -> Y, "
        r"\gamma -> Y, \beta -> Y",
    ),
    (E, "q6.a", "x->μ, x->σ², x->z, μ->z, σ²->z, z->y, γ->y, β->y"),
    (E, "q6.a", EDGES.replace("->", " --> ")),
    (E, "q6.a", EDGES.replace("->", "=>")),
    (E, "q6.a", EDGES.replace("->", r" \longrightarrow ")),
    (E, "q6.a", EDGES.replace(", ", "\n")),
    (E, "q6.a", EDGES.replace("\u0020", "\u00a0")),
    (
        E,
        "q6.a",
        "X -> mu -> sigma^2 -> Z -> Y, X -> sigma^2, X -> Z, mu -> Z, gamma -> Y, beta -> Y",
    ),
]

# Each row: problem set, field, answer, a word the feedback must contain (the mistake's name).
MISTAKES = [
    (D, "q1.b.W_h", r"W_h \in \mathbb{R}^{50 \times 10}", "column convention"),
    (D, "q1.c.W_o", "3 by 50", "column convention"),
    (D, "q1.c.b_o", "m x 3", "shared by every sample"),
    (D, "q2.layer1", "2,700", "biases"),
    (D, "q2.layer2", "180 000", "biases"),
    (D, "q2.layer2", "1.8e5", "biases"),
    (D, "q2.layer2", "2000", "every feature map"),
    (D, "q2.layer3", "4000", "every feature map"),
    (E, "q1.b", "[3, -1, 2]^T", "flipped"),
    (E, "q1.c", "[[-1, 2, 0], [4, -2, 2], [-3, 2, 1]]", "flipped"),
    (E, "q2.a.batchnorm", "B (layer norm)", "each sample"),
    (E, "q2.a.batchnorm", "C", "each sample and channel"),
    (E, "q2.a.layernorm", "C (instance norm)", "each channel"),
    (E, "q3.a", r"3 \times 3 \times 3 \times 4 + 4", "ignored"),
    (E, "q3.b", "46", "ignored"),
    (E, "q3.b", "3x3x3x4", "ordinary convolution"),
    (E, "q5.c", r"\frac{11}{101}[10, 1]", "without dropout"),
]

# Each row: problem set, field, answer, a word the feedback must contain (the hint).
WRONG = [
    (D, "q1.a", "10 by m", "order"),
    (D, "q1.a", r"X \in \mathbb{R}^{10 \times m}", "order"),
    (D, "q1.a", "m x 10 x 1", "number of dimensions"),
    (D, "q1.a", "m x 11", "second dimension"),
    (D, "q1.b.b_h", "50 x 1", "number of dimensions"),
    (D, "q1.b.b_h", "1 x 3", "first dimension"),
    (D, "q1.d", "3 x m", "order"),
    (D, "q2.layer1", "-2800", "sign"),
    (D, "q2.layer1", "2.800", "smaller"),
    (D, "q2.layer1", "2801", "larger"),
    (D, "q2.total", "9.03e5", "smaller"),
    (E, "q1.b", "[2, 1, 3]", "1 of 3"),
    (E, "q1.b", "[-2, 1, -3]", "wrong sign"),
    (E, "q1.b", "[2, -1]", "2 entries"),
    (E, "q1.b", "[2 - 1 3]", "2 entries"),
    (E, "q1.c", "[[-1, 3, -2], [3, -3, 1], [0, 3, 1]]^T", "transpose"),
    (E, "q1.c", "[-1, 3, -2, 3, -3, 1, 0, 3, 1]", "1 x 9"),
    (E, "q1.c", "2[[-1, 3, -2], [3, -3, 1], [0, 3, 1]]", "8 of 9"),
    (E, "q2.b.n1", "1", "larger"),
    (E, "q2.b.n1", "0.0001", "larger"),
    (E, "q3.a", "36", "smaller"),
    (E, "q3.b", "36 + 12", "larger"),
    (E, "q5.a", "[1.1, 0.11]", "2 of 2"),
    (E, "q5.a", "[1.089, 0.108]", "1 of 2"),
    (E, "q5.a", r"\frac{11}{101}[1, 10]", "reverse"),
    (E, "q5.a", r"\frac{11}{100}[10, 1]", "2 of 2"),
    (E, "q5.c", "[11/3, 11/30]", "reverse"),
    (E, "q5.c", "[0.37, 3.67]", "1 of 2"),
    (E, "q5.c", "[11/20, 11/2]", "2 of 2"),
    (E, "q6.a", "X->mu->sigma^2->Z->Y", "missing"),
    (E, "q6.a", EDGES.replace("Z->Y", "Y->Z"), "wrong way"),
    (E, "q6.a", EDGES + ", X->Y", "not part of the computation"),
    (E, "q6.a", EDGES.replace("gamma->Y, beta->Y", "gamma->Z, beta->Z"), "not part of"),
]

# Each row: problem set, field, answer, a word the message must contain. A careful grader
# would not guess what these mean, or they are not answers at all.
INVALID = [
    (D, "q1.a", "M x 10", "uses m"),
    (D, "q1.a", "n x 10", "uses m"),
    (D, "q1.a", "(batch, 10)", "uses m"),
    (D, "q1.a", "m x 10.0", "whole numbers"),
    (D, "q1.a", "m x 0", "positive"),
    (D, "q1.a", r"Y \in \mathbb{R}^{m \times 10}", "write the shape alone"),
    (D, "q1.b.W_h", r"W_o \in \mathbb{R}^{10 \times 50}", "write the shape alone"),
    (D, "q1.a", "ℝ⁵ x 10", "not dimensions"),
    (D, "q2.layer1", "(3*3*3+1)*100 = 2700", "different values"),
    (D, "q2.layer1", "2800 =", "one side"),
    (D, "q2.layer1", "2800, 180200", "groups of three"),
    (D, "q2.layer1", "28,00", "groups of three"),
    (D, "q2.layer1", "2.8k", "number"),
    (D, "q2.layer1", "9^9^9", "exponents"),
    (D, "q2.layer1", "1/0", "divides by zero"),
    (D, "q2.layer1", "__import__('os')", "not expected"),
    (D, "q2.layer1", "inf", "number"),
    (D, "q2.layer1", "9" * 70, "digits"),
    (D, "q2.layer1", "(" * 50 + "1" + ")" * 50, "nested"),
    (D, "q2.layer1", "$2800", "delimiters"),
    (D, "q2.layer1", "28\u200b00", "invisible"),
    (D, "q2.layer1", "x = 2800 = y", "number"),
    (E, "q2.b.n1", r"\gamma", "number"),
    (E, "q2.b.n1", "zero", "number"),
    (E, "q1.b", "[2, -1, 3]^2", "transpose"),
    (E, "q1.b", "[2, -1, 3", "not balanced"),
    (E, "q1.b", "[[2, -1], [3, 0]]", "vector"),
    (E, "q1.b", "[1/0, 1, 1]", "Entry 1"),
    (E, "q1.b", "[" + "1," * 500 + "1]", "too many entries"),
    (E, "q1.c", "[[1,2],[3]]", "different lengths"),
    (E, "q1.c", r"\begin{vmatrix} 1 \end{vmatrix}", "determinant"),
    (E, "q1.c", "array([[1]], dtype=__import__('os'))", "Entry 1"),
    (E, "q5.a", "x [10, 1]", "bracketed rows"),
    (E, "q2.a.batchnorm", "batch norm", "options A, B, C"),
    (E, "q2.a.batchnorm", "A or B", "single option"),
    (E, "q2.a.batchnorm", "A, B", "single option"),
    (E, "q2.a.batchnorm", "B: normalizes over C, H, W", "single option"),
    (E, "q2.a.batchnorm", "a batch norm layer", "options A, B, C"),
    (E, "q2.a.batchnorm", "Α", "options A, B, C"),
    (E, "q2.a.batchnorm", "\u202eA", "invisible"),
    (E, "q6.a", "X->mu, X->sigma, X->Z", "not a node"),
    (E, "q6.a", "X->", "missing a node"),
    (E, "q6.a", "X", "arrow"),
    (E, "q6.a", ",".join(["X→Z"] * 401), "too many entries"),
    (D, "q4.baseline", "train 0.92, test 0.90", "uploading a trained model"),
    (D, "q4.dropout", "90%", "uploading a trained model"),
    (D, "q4.weight_decay", "model.pt", "uploading a trained model"),
    (D, "q4.batchnorm", "", "uploading a trained model"),
]

SLOW_MS = 50


@pytest.fixture(scope="module")
def runner() -> InProcessRunner:
    return InProcessRunner(ProblemCatalog())


def grade(runner: InProcessRunner, problem_set: str, field: str, answer: str) -> FieldResult:
    return runner.run(problem_set, field, None, answer)


def reference_shown(runner: InProcessRunner, problem_set: str, field: str) -> str:
    """The reference answer as the parsed display would show it."""
    compiled = runner.catalog.compiled(problem_set).fields[field]
    assert compiled.answer is not None
    first = next(answer for ps, fid, answer in ACCEPTED if (ps, fid) == (problem_set, field))
    return compiled.answer.latex(compiled.answer.parse(first))


@pytest.mark.parametrize(("problem_set", "field", "answer"), ACCEPTED)
def test_accepted_answers_get_full_credit(
    runner: InProcessRunner, problem_set: str, field: str, answer: str
) -> None:
    result = grade(runner, problem_set, field, answer)
    assert result.verdict == Verdict.CORRECT, result.feedback
    assert result.score == result.max_score


@pytest.mark.parametrize(("problem_set", "field", "answer", "named"), MISTAKES)
def test_known_mistakes_are_named(
    runner: InProcessRunner, problem_set: str, field: str, answer: str, named: str
) -> None:
    result = grade(runner, problem_set, field, answer)
    assert result.verdict in (Verdict.PARTIAL, Verdict.INCORRECT), result.feedback
    assert result.score < result.max_score
    assert named in result.feedback


@pytest.mark.parametrize(("problem_set", "field", "answer", "hint"), WRONG)
def test_wrong_answers_get_a_hint_and_no_credit(
    runner: InProcessRunner, problem_set: str, field: str, answer: str, hint: str
) -> None:
    result = grade(runner, problem_set, field, answer)
    assert result.verdict == Verdict.INCORRECT, result.feedback
    assert result.score == 0
    assert hint in result.feedback
    assert reference_shown(runner, problem_set, field) not in result.feedback


@pytest.mark.parametrize(("problem_set", "field", "answer", "message"), INVALID)
def test_unreadable_answers_are_invalid_with_a_reason(
    runner: InProcessRunner, problem_set: str, field: str, answer: str, message: str
) -> None:
    started = time.perf_counter()
    result = grade(runner, problem_set, field, answer)
    elapsed_ms = (time.perf_counter() - started) * 1000
    assert result.verdict == Verdict.INVALID, result.feedback
    assert result.score == 0
    assert message in result.feedback
    assert elapsed_ms < 10 * SLOW_MS  # generous: shared CI machines; typical runs take < 2 ms


def test_every_value_field_in_scope_is_covered() -> None:
    covered = {(ps, field) for ps, field, *_ in ACCEPTED + INVALID}
    scope = {(D, f) for f in ("q1.a", "q1.b.W_h", "q1.b.b_h", "q1.c.W_o", "q1.c.b_o", "q1.d")}
    scope |= {(D, f"q2.{f}") for f in ("layer1", "layer2", "layer3", "total")}
    scope |= {(D, f"q4.{f}") for f in ("baseline", "dropout", "weight_decay", "batchnorm")}
    scope |= {(E, f) for f in ("q1.b", "q1.c", "q2.a.batchnorm", "q2.a.layernorm", "q2.b.n1")}
    scope |= {(E, f) for f in ("q3.a", "q3.b", "q5.a", "q5.c", "q6.a")}
    assert scope <= covered, sorted(scope - covered)
