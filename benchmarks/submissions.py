"""Full submissions the benchmark grades: correct, wrong and hostile, for both problem sets."""

DL_EX1_CORRECT = {
    "q1.a": r"X \in \mathbb{R}^{m \times 10}",
    "q1.b.W_h": "10 x 50",
    "q1.b.b_h": "1 x 50",
    "q1.c.W_o": "(50, 3)",
    "q1.c.b_o": "[3]",
    "q1.d": r"m \times 3",
    "q1.e": r"Y = \text{ReLU}(\text{ReLU}(X W_h + \mathbf{1}_m b_h^\top) W_o + b_o)",
    "q2.layer1": r"(3 \times 3 \times 3 + 1) \times 100",
    "q2.layer2": "180,200",
    "q2.layer3": "720400",
    "q2.total": r"9.034 \times 10^5",
    "q3.a": r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \hat{x}_i",
    "q3.b": r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i}",
    "q3.c": r"\gamma \cdot \frac{\partial f}{\partial y_i}",
    "q3.d": (
        r"-\frac{1}{2} \sum_{i=1}^{m} \frac{\partial f}{\partial \hat{x}_i} (x_i - \mu)"
        r" (\sigma^2 + \epsilon)^{-3/2}"
    ),
    "q3.e": (
        r"\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i} \frac{-1}{\sqrt{\sigma^2 + \epsilon}}"
        r" + \frac{\partial f}{\partial \sigma^2} \frac{\sum_{i=1}^m -2(x_i - \mu)}{m}"
    ),
    "q3.f": (
        r"\frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}\left(m \frac{\partial f}{\partial y_i}"
        r" - \sum_{j=1}^m \frac{\partial f}{\partial y_j}"
        r" - \hat{x}_i \sum_{j=1}^m \frac{\partial f}{\partial y_j}\hat{x}_j\right)"
    ),
}

DL_EX1_WRONG = {
    "q1.a": "10 x m",
    "q1.b.W_h": "50 x 10",
    "q1.b.b_h": "m x 50",
    "q1.c.W_o": "3 x 50",
    "q1.c.b_o": "m x 3",
    "q1.d": "m x 50",
    "q1.e": "ReLU(ReLU(W_h X + b_h) W_o + b_o)",
    "q2.layer1": "2700",
    "q2.layer2": "180000",
    "q2.layer3": "1.5e6",
    "q2.total": "902700",
    "q3.a": r"\sum_i \frac{\partial f}{\partial y_i} x_i",
    "q3.b": r"\frac{1}{m}\sum_i \frac{\partial f}{\partial y_i}",
    "q3.c": r"\sum_j \frac{\partial f}{\partial y_j} \gamma",
    "q3.d": r"\sum_i \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)(\sigma^2+\epsilon)^{-3/2}",
    "q3.e": r"\sum_i \frac{\partial f}{\partial \hat{x}_i} \frac{1}{\sqrt{\sigma^2+\epsilon}}",
    "q3.f": r"\gamma \frac{\partial f}{\partial y_i} \frac{1}{\sqrt{\sigma^2+\epsilon}}",
}

HOSTILE = [
    "__import__('os').system('true')",
    "().__class__.__bases__[0].__subclasses__()",
    "9^9^9^9",
    "10**10**10",
    "(" * 1500,
    r"\frac{" * 300,
    "x" * 1999,
    "lambda: 0",
    "nan",
    "1e999",
]

HW5_CORRECT = {
    "q1.b": "[2, -1, 3]",
    "q1.c": r"\begin{bmatrix} -1 & 3 & -2 \\ 3 & -3 & 1 \\ 0 & 3 & 1 \end{bmatrix}",
    "q2.a.batchnorm": "A",
    "q2.a.layernorm": "B",
    "q2.b.grad": (
        r"\gamma \left(\frac{\partial L}{\partial y_i}"
        r" - \frac{1}{n} \sum_{j=1}^{n} \frac{\partial L}{\partial y_j}\right)"
    ),
    "q2.b.n1": "0",
    "q2.b.ninf": r"\gamma \frac{\partial L}{\partial y_i}",
    "q3.a": "108",
    "q3.b": "3*3*3 + 3*4",
    "q4.b": r"w = p \tilde{w}",
    "q4.c": r"X \Gamma^{-1}",
    "q5.a": r"\begin{bmatrix} \frac{110}{101} \\ \frac{11}{101} \end{bmatrix}",
    "q5.c": "[11/30, 11/3]",
    "q6.a": "X->mu, X->sigma^2, mu->sigma^2, X->Z, mu->Z, sigma^2->Z, Z->Y, gamma->Y, beta->Y",
    "q8.A": r"\mu",
    "q8.B": r"\sigma^2",
}


# Second spellings of expression answers: the same value written another way, so that the two
# equivalence routes compare a real pair (factored vs expanded, shorthand vs expanded, ...).
ALTERNATIVES = {
    ("dl-ex1", "q1.e"): r"\max(0, \max(0, X W_h + b_h) W_o + \mathbf{1}_m b_o^\top)",
    (
        "dl-ex1",
        "q3.a",
    ): r"\sum_{j=1}^{m} \frac{\partial f}{\partial y_j} \frac{x_j - \mu}{\sqrt{\sigma^2 + \epsilon}}",
    ("dl-ex1", "q3.b"): r"\sum_{k=1}^{m} \frac{\partial L}{\partial y_k}",
    (
        "dl-ex1",
        "q3.c",
    ): r"(\gamma + 1)\frac{\partial f}{\partial y_i} - \frac{\partial f}{\partial y_i}",
    ("dl-ex1", "q3.d"): (
        r"\sum_{i=1}^{m} \frac{\partial f}{\partial \hat{x}_i} (x_i - \mu)"
        r" \left(-\frac{1}{2}\right) (\sigma^2 + \epsilon)^{-3/2}"
    ),
    ("dl-ex1", "q3.e"): (
        r"-\frac{1}{\sqrt{\sigma^2 + \epsilon}} \sum_{i=1}^{m} \frac{\partial f}{\partial \hat{x}_i}"
    ),
    ("dl-ex1", "q3.f"): (
        r"\frac{\gamma}{\sqrt{\sigma^2+\epsilon}} \frac{\partial f}{\partial y_i}"
        r" - \frac{\gamma}{m\sqrt{\sigma^2+\epsilon}} \sum_{j=1}^m \frac{\partial f}{\partial y_j}"
        r" - \frac{\gamma \hat{x}_i}{m\sqrt{\sigma^2+\epsilon}}"
        r" \sum_{j=1}^m \frac{\partial f}{\partial y_j}\hat{x}_j"
    ),
    ("eecs182-hw5", "q2.b.grad"): (
        r"\gamma \frac{\partial L}{\partial y_i} - \frac{\gamma}{n} \sum_{j=1}^{n} \frac{\partial L}{\partial y_j}"
    ),
    ("eecs182-hw5", "q4.c"): r"((\Gamma^{-1})^\top X^\top)^\top",
    ("eecs182-hw5", "q8.B"): r"(\sigma + \mu)^2 - \mu^2 - 2\mu\sigma",
}


def hostile(fields: list[str]) -> dict[str, str]:
    """A submission whose every answer is one of the hostile inputs, in turn."""
    return {field: HOSTILE[k % len(HOSTILE)] for k, field in enumerate(fields)}
