"""Both shipped problem sets, end to end: accepted spellings, known mistakes, wrong answers."""

import pytest

from app.grading.result import FieldResult, Verdict
from app.grading.runner import InProcessRunner
from app.problemsets.catalog import ProblemCatalog

# Each row: problem set, field, answer as a student types it.
ACCEPTED = [
    ("dl-ex1", "q1.a", "m x 10"),
    ("dl-ex1", "q1.a", r"m \times 10"),
    ("dl-ex1", "q1.a", "(m, 10)"),
    ("dl-ex1", "q1.a", "[m, 10]"),
    ("dl-ex1", "q1.a", r"\mathbb{R}^{m \times 10}"),
    ("dl-ex1", "q1.a", r"X \in \mathbb{R}^{m\times 10}"),
    ("dl-ex1", "q1.b.W_h", "10 x 50"),
    ("dl-ex1", "q1.b.b_h", "1 x 50"),
    ("dl-ex1", "q1.b.b_h", "50"),
    ("dl-ex1", "q1.b.b_h", "[50]"),
    ("dl-ex1", "q1.c.W_o", r"50 \times 3"),
    ("dl-ex1", "q1.c.b_o", "(3,)"),
    ("dl-ex1", "q1.d", "m x 3"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_h) W_o + b_o)"),
    (
        "dl-ex1",
        "q1.e",
        r"Y = \text{ReLU}(\text{ReLU}(X W_h + \mathbf{1}_m b_h^T) W_o + 1_m b_o^\top)",
    ),
    ("dl-ex1", "q1.e", r"Relu(Relu(X \cdot W_h + b_h) \cdot W_o + b_o)"),
    ("dl-ex1", "q1.e", r"\max(0, \max(0, XW_h + b_h)W_o + b_o)"),
    ("dl-ex1", "q2.layer1", "2800"),
    ("dl-ex1", "q2.layer1", "2,800"),
    ("dl-ex1", "q2.layer1", r"(3 \times 3 \times 3 + 1) \times 100"),
    ("dl-ex1", "q2.layer1", r"2.8 \times 10^3"),
    ("dl-ex1", "q2.layer2", "180,200"),
    ("dl-ex1", "q2.layer2", "(3*3*100+1)*200"),
    ("dl-ex1", "q2.layer3", "720 400"),
    ("dl-ex1", "q2.total", "903400"),
    ("dl-ex1", "q2.total", r"9.034 \times 10^5"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \hat{x}_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^m \frac{\partial L}{\partial y_i}\hat{x_i}"),
    ("dl-ex1", "q3.a", "sum_{i=1}^m dy_i * xhat_i"),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_i \frac{\partial f}{\partial y_i} \frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}}",
    ),
    ("dl-ex1", "q3.b", r"\sum_{i=1}^m \frac{\partial f}{\partial y_i}"),
    ("dl-ex1", "q3.c", r"\frac{\partial f}{\partial y_i} \gamma"),
    ("dl-ex1", "q3.c", r"\gamma \cdot \frac{\partial L}{\partial y_i}"),
    (
        "dl-ex1",
        "q3.c",
        r"\frac{\partial f}{\partial \hat{x}_i} = \gamma \frac{\partial f}{\partial y_i}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i - \mu) \cdot \left(-\frac{1}{2}\right)(\sigma^2 + \epsilon)^{-3/2}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{1}{2}(\sigma^2+\varepsilon)^{-\frac{3}{2}} \sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"\sum_{j=1}^m \frac{\partial f}{\partial y_j}\gamma (x_j - \mu) (-1/2) (\sigma^2 + \epsilon)^{-3/2}",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"\left(\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i} \cdot \frac{-1}{\sqrt{\sigma^2 + \epsilon}}\right) + \frac{\partial f}{\partial \sigma^2} \cdot \frac{\sum_{i=1}^m -2(x_i - \mu)}{m}",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"-\frac{1}{\sqrt{\sigma^2+\epsilon}}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial \hat{x}_i} \cdot \frac{1}{\sqrt{\sigma^2 + \epsilon}} + \frac{\partial f}{\partial \sigma^2} \cdot \frac{2(x_i - \mu)}{m} + \frac{\partial f}{\partial \mu} \cdot \frac{1}{m}",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}\left(m \frac{\partial f}{\partial y_i} - \sum_{j=1}^m \frac{\partial f}{\partial y_j} - \hat{x}_i \sum_{j=1}^m \frac{\partial f}{\partial y_j}\hat{x}_j\right)",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}\left(m \frac{\partial L}{\partial y_i} - \sum_{i=1}^m \frac{\partial L}{\partial y_i} - \hat{x}_i \sum_{i=1}^m \frac{\partial L}{\partial y_i}\hat{x}_i\right)",
    ),
    ("eecs182-hw5", "q1.b", "[2, -1, 3]"),
    ("eecs182-hw5", "q1.b", r"\begin{bmatrix} 2 & -1 & 3 \end{bmatrix}"),
    ("eecs182-hw5", "q1.c", "[[-1, 3, -2], [3, -3, 1], [0, 3, 1]]"),
    (
        "eecs182-hw5",
        "q1.c",
        r"\begin{bmatrix} -1 & 3 & -2 \\ 3 & -3 & 1 \\ 0 & 3 & 1 \end{bmatrix}",
    ),
    ("eecs182-hw5", "q2.a.batchnorm", "A"),
    ("eecs182-hw5", "q2.a.batchnorm", "(a)"),
    ("eecs182-hw5", "q2.a.layernorm", "B"),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma\left(\frac{\partial L}{\partial y_i} - \frac{1}{n}\sum_{j=1}^n \frac{\partial L}{\partial y_j}\right)",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma \frac{\partial L}{\partial y_i} - \frac{\gamma}{n}\sum_j \frac{\partial L}{\partial y_j}",
    ),
    ("eecs182-hw5", "q2.b.grad", "gamma*(dy_i - 1/n * sum_{j=1}^n dy_j)"),
    ("eecs182-hw5", "q2.b.n1", "0"),
    ("eecs182-hw5", "q2.b.ninf", r"\gamma \frac{\partial L}{\partial y_i}"),
    ("eecs182-hw5", "q3.a", "108"),
    ("eecs182-hw5", "q3.a", r"3 \times 3 \times 3 \times 4"),
    ("eecs182-hw5", "q3.b", "39"),
    ("eecs182-hw5", "q3.b", "3*3*3 + 3*4"),
    ("eecs182-hw5", "q4.b", r"p\tilde{w}"),
    ("eecs182-hw5", "q4.b", r"w = p \tilde{w}"),
    ("eecs182-hw5", "q4.c", r"X\Gamma^{-1}"),
    ("eecs182-hw5", "q4.c", r"\tilde{X} = X \Gamma^{-1}"),
    ("eecs182-hw5", "q5.a", "[110/101, 11/101]"),
    ("eecs182-hw5", "q5.a", r"\begin{bmatrix} \frac{110}{101} \\ \frac{11}{101} \end{bmatrix}"),
    ("eecs182-hw5", "q5.a", "[1.089, 0.109]"),
    ("eecs182-hw5", "q5.c", "[11/30, 11/3]"),
    ("eecs182-hw5", "q5.c", "[0.367, 3.667]"),
    (
        "eecs182-hw5",
        "q6.a",
        r"X->\mu, X->\sigma^2, \mu->\sigma^2, X->Z, \mu->Z, \sigma^2->Z, Z->Y, \gamma->Y, \beta->Y",
    ),
    ("eecs182-hw5", "q6.a", "X->mu, X->sigma^2, X->Z, mu->Z, sigma^2->Z, Z->Y, gamma->Y, beta->Y"),
    ("eecs182-hw5", "q8.A", r"\mu"),
    ("eecs182-hw5", "q8.B", r"\sigma^2"),
    ("eecs182-hw5", "q8.B", r"B = \sigma^{2}"),
]

# Each row: problem set, field, answer, a word the feedback must contain (the mistake's name).
MISTAKES = [
    ("dl-ex1", "q1.b.W_h", "50 x 10", "column convention"),
    ("dl-ex1", "q1.b.b_h", "m x 50", "shared by every sample"),
    ("dl-ex1", "q1.d", "m x 50", "hidden layer"),
    ("dl-ex1", "q1.e", "ReLU(X W_h + b_h) W_o + b_o", "output layer"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h) W_o)", "biases"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(W_h X + b_h) W_o + b_o)", "does not conform"),
    ("dl-ex1", "q2.layer1", "2700", "biases"),
    ("dl-ex1", "q2.layer1", "1000", "every channel"),
    ("dl-ex1", "q2.total", "902700", "biases"),
    ("dl-ex1", "q3.a", r"\sum_i \frac{\partial f}{\partial y_i} x_i", "normalized"),
    ("dl-ex1", "q3.b", r"\frac{1}{m}\sum_i \frac{\partial f}{\partial y_i}", "divides"),
    ("dl-ex1", "q3.c", r"\sum_i \frac{\partial f}{\partial y_i}\gamma", "nothing to sum"),
    ("dl-ex1", "q3.c", r"\frac{\partial f}{\partial y_i}", "chain rule"),
    (
        "dl-ex1",
        "q3.d",
        r"\sum_i \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)(\sigma^2+\epsilon)^{-3/2}",
        "factor",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac12 \sum_i \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)\sigma^{-3}",
        r"\epsilon",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"\sum_i \frac{\partial f}{\partial \hat{x}_i} \frac{1}{\sqrt{\sigma^2+\epsilon}}",
        "sign",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial \hat{x}_i} \frac{1}{\sqrt{\sigma^2 + \epsilon}} + \frac{\partial f}{\partial \sigma^2} \frac{2(x_i - \mu)}{m}",
        "through $\\mu$",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial \hat{x}_i} \frac{1}{\sqrt{\sigma^2 + \epsilon}} + \frac{\partial f}{\partial \mu} \frac{1}{m}",
        "through $\\sigma^2$",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial \hat{x}_i} \frac{1}{\sqrt{\sigma^2 + \epsilon}} + \frac{\partial f}{\partial \sigma^2} \frac{2(x_i - \mu)}{m-1} + \frac{\partial f}{\partial \mu}\frac{1}{m}",
        "biased",
    ),
    ("eecs182-hw5", "q1.b", "[3, -1, 2]", "flipped"),
    ("eecs182-hw5", "q2.a.batchnorm", "B", "each sample"),
    ("eecs182-hw5", "q2.a.layernorm", "A", "mixes different samples"),
    ("eecs182-hw5", "q2.b.grad", r"\gamma \frac{\partial L}{\partial y_i}", "depends on"),
    ("eecs182-hw5", "q3.b", "108", "ordinary convolution"),
    ("eecs182-hw5", "q4.b", r"\tilde{w} / p", "data terms"),
    ("eecs182-hw5", "q5.c", "[110/101, 11/101]", "without dropout"),
    ("eecs182-hw5", "q8.B", r"\sigma", "power"),
]

WRONG = [
    ("dl-ex1", "q1.a", "10 x m"),
    ("dl-ex1", "q2.total", "903401"),
    ("dl-ex1", "q3.f", r"\gamma \frac{\partial f}{\partial y_i}"),
    ("eecs182-hw5", "q1.c", "[[-1, 2], [3, 1]]"),
    ("eecs182-hw5", "q6.a", "X->mu, X->sigma^2, X->Z, mu->Z, sigma^2->Z, gamma->Y, beta->Y"),
    (
        "eecs182-hw5",
        "q6.a",
        "X->mu, X->sigma^2, X->Z, mu->Z, sigma^2->Z, Z->Y, gamma->Y, beta->Y, gamma->Z",
    ),
    ("eecs182-hw5", "q8.A", r"\mu^2"),
]


@pytest.fixture(scope="module")
def runner() -> InProcessRunner:
    return InProcessRunner(ProblemCatalog())


def grade(runner: InProcessRunner, problem_set: str, field: str, answer: str) -> FieldResult:
    return runner.run(problem_set, field, None, answer)


@pytest.mark.parametrize(("problem_set", "field", "answer"), ACCEPTED)
def test_accepted_answers_get_full_credit(
    runner: InProcessRunner, problem_set: str, field: str, answer: str
) -> None:
    result = grade(runner, problem_set, field, answer)
    assert result.verdict == Verdict.CORRECT, result.feedback
    assert result.score == result.max_score
    assert result.parsed


@pytest.mark.parametrize(("problem_set", "field", "answer", "named"), MISTAKES)
def test_known_mistakes_are_named(
    runner: InProcessRunner, problem_set: str, field: str, answer: str, named: str
) -> None:
    result = grade(runner, problem_set, field, answer)
    assert result.verdict in (Verdict.PARTIAL, Verdict.INCORRECT), result.feedback
    assert result.score < result.max_score
    assert named in result.feedback


@pytest.mark.parametrize(("problem_set", "field", "answer"), WRONG)
def test_wrong_answers_get_no_credit(
    runner: InProcessRunner, problem_set: str, field: str, answer: str
) -> None:
    result = grade(runner, problem_set, field, answer)
    assert result.verdict == Verdict.INCORRECT, result.feedback
    assert result.score == 0


def test_every_text_field_of_both_sets_is_covered() -> None:
    catalog = ProblemCatalog()
    covered = {(ps, field) for ps, field, _ in ACCEPTED}
    for problem_set in catalog.ids():
        for field_id, field in catalog.compiled(problem_set).fields.items():
            assert field.is_upload or (problem_set, field_id) in covered, field_id
