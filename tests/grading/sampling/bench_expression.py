"""Time the grading of typical expression answers: `python -m tests.grading.sampling.bench_expression`.

A printout, not a test: pytest does not collect this module.
"""

import time

import sympy

from app.grading.answers.expression import ExpressionAnswer, MatrixExpressionAnswer
from app.grading.mathparse.vocabulary import Vocabulary
from app.grading.sampling.contexts import CONTEXTS
from tests.grading.answers.test_expression import BATCHNORM, DENSE, MEAN_ONLY

ANSWERS = [
    (
        "dl-ex1 q3.f, shorthand form",
        BATCHNORM,
        "batchnorm",
        "dx_i",
        ExpressionAnswer,
        r"\frac{\partial f}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2+\epsilon}}"
        r" + \frac{\partial f}{\partial \sigma^2}\frac{2(x_i-\mu)}{m} + \frac{\partial f}{\partial \mu}\frac{1}{m}",
    ),
    (
        "dl-ex1 q3.f, closed form",
        BATCHNORM,
        "batchnorm",
        "dx_i",
        ExpressionAnswer,
        r"\frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}\left(m \frac{\partial f}{\partial y_i} - \sum_{j=1}^m"
        r" \frac{\partial f}{\partial y_j} - \hat{x}_i\sum_{j=1}^m \frac{\partial f}{\partial y_j}\hat{x}_j\right)",
    ),
    (
        "eecs182-hw5 q2.b",
        MEAN_ONLY,
        "mean_only_batchnorm",
        "dx_i",
        ExpressionAnswer,
        r"\gamma\left(\frac{\partial L}{\partial y_i} - \frac{1}{n}\sum_{j=1}^n \frac{\partial L}{\partial y_j}\right)",
    ),
    (
        "dl-ex1 q1.e",
        DENSE,
        "dense_network",
        "Y",
        MatrixExpressionAnswer,
        r"\text{ReLU}(\text{ReLU}(X W_h + b_h) W_o + b_o)",
    ),
]
REPEATS = 300


def _time(
    vocabulary: Vocabulary, context: str, quantity: str, kind: type[ExpressionAnswer], raw: str
) -> float:
    answer = kind(vocabulary=vocabulary, context=CONTEXTS[context]())
    target = answer.target(quantity=quantity)
    parsed = answer.parse(raw)
    assert isinstance(parsed, sympy.Expr), parsed
    # A fresh tree each round, so the single-answer cache does not hide the evaluation.
    trees = [sympy.Basic.__new__(type(parsed), *parsed.args) for _ in range(REPEATS)]
    started = time.perf_counter()
    for tree in trees:
        assert answer.compare(tree, target).matches
    return (time.perf_counter() - started) / REPEATS


def main() -> None:
    """Print milliseconds per compare() for each typical answer."""
    for label, vocabulary, context, quantity, kind, raw in ANSWERS:
        seconds = _time(vocabulary, context, quantity, kind, raw)
        print(f"{label:32s} {seconds * 1e3:6.3f} ms per answer")


if __name__ == "__main__":
    main()
