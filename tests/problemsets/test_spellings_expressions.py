"""Expression fields of both problem sets, end to end, as a class of students writes them.

Each row was run through the whole engine. ACCEPTED rows are spellings a careful grader accepts;
MISTAKES rows are known mistakes whose feedback names the slip; WRONG rows get no credit;
INVALID rows cannot be read (hostile, ambiguous or unfinished) and say why without grading.
"""

import pytest

from app.grading.result import FieldResult, Verdict
from app.grading.runner import InProcessRunner
from app.problemsets.catalog import ProblemCatalog

# Each row: problem set, field, answer as a student types it.
ACCEPTED = [
    # an answer ended like a sentence
    ("dl-ex1", "q1.e", "ReLU(ReLU(XW_h+b_h)W_o+b_o)."),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_h)W_o + b_o);"),
    ("dl-ex1", "q1.e", "$ReLU(ReLU(X W_h + b_h)W_o + b_o)$."),
    ("dl-ex1", "q3.b", r"\sum_i \frac{\partial f}{\partial y_i}."),
    ("dl-ex1", "q1.e", "ReLU(ReLU(XW_h+b_h)W_o+b_o)"),
    ("dl-ex1", "q1.e", r"$\text{ReLU}\left(\text{ReLU}\left(X W_h + b_h\right) W_o + b_o\right)$"),
    ("dl-ex1", "q1.e", "Y = ReLU(ReLU(X W_h + b_h) W_o + b_o)"),
    ("dl-ex1", "q1.e", r"Y=\mathrm{ReLU}(\mathrm{ReLU}(XW_{h}+b_{h})W_{o}+b_{o})"),
    ("dl-ex1", "q1.e", r"\operatorname{ReLU}(\operatorname{ReLU}(X W_h + b_h) W_o + b_o)"),
    ("dl-ex1", "q1.e", "relu(relu(X*W_h + b_h)*W_o + b_o)"),
    ("dl-ex1", "q1.e", "RELU(RELU(X W_h + b_h) W_o + b_o)"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + 1_m b_h^T) W_o + 1_m b_o^T)"),
    ("dl-ex1", "q1.e", r"ReLU(ReLU(X W_h + \mathbf{1}_m b_h^\top) W_o + \mathbf{1}_m b_o^\top)"),
    ("dl-ex1", "q1.e", r"ReLU(ReLU(X W_h + \mathbf{1} b_h^\top) W_o + \mathbf{1} b_o^\top)"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_h^T) W_o + b_o^T)"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_h') W_o + b_o')"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_h^{T}) W_o + b_o^{T})"),
    ("dl-ex1", "q1.e", r"ReLU\left(ReLU\left(XW_h+b_h\right)W_o+b_o\right)"),
    ("dl-ex1", "q1.e", "ReLU[ReLU[XW_h+b_h]W_o+b_o]"),
    ("dl-ex1", "q1.e", r"\max(0, \max(0, X W_h + b_h) W_o + b_o)"),
    ("dl-ex1", "q1.e", "max(0, max(0, X W_h + b_h) W_o + b_o)"),
    ("dl-ex1", "q1.e", r"\max\{0, \max\{0, X W_h + b_h\} W_o + b_o\}"),
    ("dl-ex1", "q1.e", "ReLU(b_o + ReLU(b_h + X W_h) W_o)"),
    ("dl-ex1", "q1.e", r"ReLU(ReLU(XW_h + b_h)\cdot W_o + b_o)"),
    ("dl-ex1", "q1.e", r"ReLU(ReLU(X\cdot W_h + b_h)\cdot W_o + b_o)"),
    ("dl-ex1", "q1.e", r"ReLU(ReLU(X \times W_h + b_h) \times W_o + b_o)"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_{h} + b_{h}) W_{o} + b_{o})"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X Wh + bh) Wo + bo)"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_hidden + b_hidden) W_out + b_out)"),
    ("dl-ex1", "q1.e", "ReLU((ReLU(X W_h + b_h)) W_o + b_o)"),
    ("dl-ex1", "q1.e", r"ReLU(ReLU(X W_h + b_h) W_o + b_o)\,"),
    ("dl-ex1", "q1.e", r"\[ ReLU(ReLU(X W_h + b_h) W_o + b_o) \]"),
    ("dl-ex1", "q1.e", r"Y = \text{ReLU}(\text{ReLU}(XW_h + b_h)W_o + b_o)"),
    ("dl-ex1", "q1.e", r"\hat{Y} = ReLU(ReLU(X W_h + b_h) W_o + b_o)"),
    ("dl-ex1", "q1.e", "Y(X) = ReLU(ReLU(X W_h + b_h) W_o + b_o)"),
    ("dl-ex1", "q1.e", "(ReLU(W_o^T ReLU(W_h^T X^T + b_h 1_m^T) + b_o 1_m^T))^T"),
    ("dl-ex1", "q1.e", r"ReLU(ReLU(X W_h + \mathbf{1}_m b_h) W_o + \mathbf{1}_m b_o)"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(XW_h + b_h)W_o + b_o)"),
    ("dl-ex1", "q1.e", "ReLU ( ReLU ( X W_h + b_h ) W_o + b_o )"),
    ("dl-ex1", "q1.e", r"ReLU(ReLU(X W_h + b_h^\intercal) W_o + b_o^\intercal)"),
    ("dl-ex1", "q1.e", r"\mathrm{relu}(\mathrm{relu}(XW_h+b_h)W_o+b_o)"),
    ("dl-ex1", "q1.e", r"\text{relu}(\text{relu}(XW_h+b_h)W_o+b_o)"),
    ("dl-ex1", "q1.e", r"\textrm{ReLU}(\textrm{ReLU}(XW_h+b_h)W_o+b_o)"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X·W_h + b_h)·W_o + b_o)"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_hᵀ) W_o + b_oᵀ)"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(XW_h + b_h) W_o + b_o)   "),
    ("dl-ex1", "q1.e", "ReLU(ReLU(XW_ₕ + b_h) W_o + b_o)"),
    (
        "dl-ex1",
        "q1.e",
        r"\mathbf{Y} = ReLU(ReLU(\mathbf{X} \mathbf{W}_h + \mathbf{b}_h) \mathbf{W}_o + \mathbf{b}_o)",
    ),
    ("dl-ex1", "q1.e", r"ReLU(ReLU(X W_h + \mathbf{1} b_h^T) W_o + \mathbf{1} b_o^T)"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_h) W_o + b_o)"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \hat{x}_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \hat{x}_i \frac{\partial f}{\partial y_i}"),
    ("dl-ex1", "q3.a", r"\sum_{j=1}^{m} \frac{\partial L}{\partial y_j} \hat{x}_j"),
    ("dl-ex1", "q3.a", r"\sum_{k=1}^{m} \frac{\partial f}{\partial y_k} \hat{x}_k"),
    ("dl-ex1", "q3.a", r"\displaystyle\sum_{i=1}^{m} \dfrac{\partial f}{\partial y_i} \hat{x}_i"),
    ("dl-ex1", "q3.a", r"\sum\limits_{i=1}^{m} \frac{\partial f}{\partial y_i} \hat{x}_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \cdot \hat{x}_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} * \hat{x}_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_{i}} \hat{x}_{i}"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \widehat{x}_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \hat x_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{df}{dy_i} \hat{x}_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{d f}{d y_i} \hat{x}_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\mathrm{d} f}{\mathrm{d} y_i} \hat{x}_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial \mathcal{L}}{\partial y_i} \hat{x}_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial \ell}{\partial y_i} \hat{x}_i"),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i}\frac{x_i-\mu}{\sqrt{\sigma^2+\epsilon}}",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i}(x_i-\mu)(\sigma^2+\epsilon)^{-1/2}",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i}(x_i-\mu)(\sigma^2+\epsilon)^{-\frac{1}{2}}",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\frac{1}{\sqrt{\sigma^2+\epsilon}}\sum_{i=1}^{m} \frac{\partial f}{\partial y_i}(x_i-\mu)",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\frac{\sum_{i=1}^{m} \frac{\partial f}{\partial y_i}(x_i-\mu)}{\sqrt{\sigma^2+\epsilon}}",
    ),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i}\frac{y_i - \beta}{\gamma}"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^m \frac{\partial f}{\partial y_i} \hat{x}_i"),
    ("dl-ex1", "q3.a", r"\sum_{i = 1}^{m} \frac{\partial f}{\partial y_i} \hat{x}_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \left(\frac{\partial f}{\partial y_i} \hat{x}_i\right)"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \left[\frac{\partial f}{\partial y_i} \hat{x}_i\right]"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} {\frac{\partial f}{\partial y_i} \hat{x}_i}"),
    (
        "dl-ex1",
        "q3.a",
        r"\frac{\partial f}{\partial \gamma} = \sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \hat{x}_i",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\frac{\partial L}{\partial \gamma} = \sum_{i=1}^{m} \frac{\partial L}{\partial y_i} \hat{x}_i",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\frac{\partial \ell}{\partial \gamma} = \sum_{i=1}^{m} \frac{\partial \ell}{\partial y_i} \hat{x}_i",
    ),
    ("dl-ex1", "q3.a", r"\frac{df}{d\gamma} = \sum_{i=1}^{m} \frac{df}{dy_i} \hat{x}_i"),
    (
        "dl-ex1",
        "q3.a",
        r"\partial f/\partial\gamma = \sum_{i=1}^{m} \partial f/\partial y_i \hat{x}_i",
    ),
    ("dl-ex1", "q3.a", "df/dgamma = sum_{i=1}^m df/dy_i * xhat_i"),
    ("dl-ex1", "q3.a", "dL/dgamma = sum_{i=1}^m dL/dy_i * xhat_i"),
    ("dl-ex1", "q3.a", "sum_{i=1}^{m} dy_i xhat_i"),
    ("dl-ex1", "q3.a", "sum_i dy_i * x_hat_i"),
    ("dl-ex1", "q3.a", "sum(dy_i * xhat_i, i, 1, m)"),
    ("dl-ex1", "q3.a", "Σ_i ∂f/∂y_i x̂_i"),
    ("dl-ex1", "q3.a", "∑_{i=1}^m (∂f/∂yᵢ) x̂ᵢ"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \hat{x_i}"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \widehat{x_i}"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \hat{x}^{(i)}"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y^{(i)}} \hat{x}^{(i)}"),
    ("dl-ex1", "q3.a", r"\sum_{i}^{m} \frac{\partial f}{\partial y_i} \hat{x}_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \hat{x}_i \,"),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \frac{x_i-\mu}{\sqrt{\sigma^2+\varepsilon}}",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \frac{x_i-\mu}{\sqrt{\sigma_B^2+\epsilon}}",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \frac{x_i-\mu_B}{\sqrt{\sigma_B^2+\epsilon}}",
    ),
    ("dl-ex1", "q3.b", r"\sum_{i=1}^m \frac{\partial f}{\partial y_i}"),
    ("dl-ex1", "q3.b", r"\sum_{j=1}^m \frac{\partial L}{\partial y_j}"),
    ("dl-ex1", "q3.b", r"\sum_i \frac{\partial f}{\partial y_i}"),
    ("dl-ex1", "q3.b", r"\sum_{i=1}^m \frac{\partial f}{\partial y_i} \cdot 1"),
    (
        "dl-ex1",
        "q3.b",
        r"\frac{\partial f}{\partial \beta} = \sum_{i=1}^m \frac{\partial f}{\partial y_i}",
    ),
    ("dl-ex1", "q3.b", "dL/dbeta = sum_i dL/dy_i"),
    ("dl-ex1", "q3.b", "sum_{i=1}^m dy_i"),
    ("dl-ex1", "q3.b", "sum_{i=1}^m g_i"),
    ("dl-ex1", "q3.b", r"\sum_{i=1}^{m}{\frac{\partial f}{\partial y_{i}}}"),
    ("dl-ex1", "q3.b", r"\sum_{i=1}^{m}\frac{\partial f}{\partial y^{(i)}}"),
    ("dl-ex1", "q3.b", r"m \cdot \frac{1}{m}\sum_{i=1}^m \frac{\partial f}{\partial y_i}"),
    ("dl-ex1", "q3.c", r"\gamma \frac{\partial f}{\partial y_i}"),
    ("dl-ex1", "q3.c", r"\frac{\partial f}{\partial y_i}\gamma"),
    ("dl-ex1", "q3.c", r"\frac{\partial f}{\partial y_i}\cdot\gamma"),
    ("dl-ex1", "q3.c", r"\gamma\frac{\partial L}{\partial y_i}"),
    ("dl-ex1", "q3.c", "gamma * dy_i"),
    ("dl-ex1", "q3.c", "gamma dy_i"),
    ("dl-ex1", "q3.c", "γ ∂f/∂y_i"),
    ("dl-ex1", "q3.c", "γ·∂L/∂yᵢ"),
    (
        "dl-ex1",
        "q3.c",
        r"\frac{\partial f}{\partial \hat{x}_i} = \gamma\frac{\partial f}{\partial y_i}",
    ),
    (
        "dl-ex1",
        "q3.c",
        r"\frac{\partial L}{\partial \hat{x}_i} = \gamma\frac{\partial L}{\partial y_i}",
    ),
    (
        "dl-ex1",
        "q3.c",
        r"\frac{\partial f}{\partial \hat{x_i}} = \gamma\frac{\partial f}{\partial y_i}",
    ),
    (
        "dl-ex1",
        "q3.c",
        r"\frac{\partial f}{\partial \widehat{x}_i} = \gamma\frac{\partial f}{\partial y_i}",
    ),
    ("dl-ex1", "q3.c", "dL/dxhat_i = gamma * dL/dy_i"),
    ("dl-ex1", "q3.c", r"df/d\hat{x}_i = \gamma df/dy_i"),
    ("dl-ex1", "q3.c", r"\gamma \frac{\partial f}{\partial y_{i}}"),
    ("dl-ex1", "q3.c", r"\gamma \cdot \frac{\partial f}{\partial y^{(i)}}"),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{1}{2}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)(\sigma^2+\epsilon)^{-3/2}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)\cdot\frac{-1}{2}(\sigma^2+\epsilon)^{-\frac{3}{2}}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac12\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)(\sigma^2+\epsilon)^{-3/2}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{1}{2}(\sigma^2+\epsilon)^{-3/2}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)}{2(\sigma^2+\epsilon)^{3/2}}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{1}{2(\sigma^2+\epsilon)^{3/2}}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{1}{2\sqrt{(\sigma^2+\epsilon)^3}}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{1}{2(\sigma^2+\epsilon)\sqrt{\sigma^2+\epsilon}}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{1}{2(\sigma^2+\epsilon)}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}\hat{x}_i",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{\gamma}{2(\sigma^2+\epsilon)}\sum_{i=1}^m \frac{\partial f}{\partial y_i}\hat{x}_i",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"\sum_{i=1}^m \frac{\partial f}{\partial y_i}\gamma(x_i-\mu)\left(-\frac{1}{2}\right)(\sigma^2+\epsilon)^{-3/2}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-0.5\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)(\sigma^2+\epsilon)^{-1.5}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)\frac{-1}{2}(\sigma^2+\epsilon)^{-3/2}",
    ),
    ("dl-ex1", "q3.d", "sum_{i=1}^m dxhat_i * (x_i - mu) * (-1/2) * (sigma^2 + eps)^(-3/2)"),
    ("dl-ex1", "q3.d", "sum_{i=1}^m dxhat_i * (x_i - mu) * (-1/2) * (var + eps)**(-3/2)"),
    ("dl-ex1", "q3.d", "-1/2 * sum_i dxhat_i * (x_i - mu) * (sigma2 + eps)^(-3/2)"),
    (
        "dl-ex1",
        "q3.d",
        r"\frac{\partial f}{\partial \sigma^2} = -\frac{1}{2}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)(\sigma^2+\epsilon)^{-3/2}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"\frac{\partial f}{\partial \sigma^{2}} = -\frac{1}{2}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)(\sigma^2+\epsilon)^{-3/2}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"\frac{\partial L}{\partial \sigma_B^2} = -\frac{1}{2}\sum_{i=1}^m \frac{\partial L}{\partial \hat{x}_i}(x_i-\mu_B)(\sigma_B^2+\epsilon)^{-3/2}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}\cdot(x_i-\mu)\cdot\frac{-1}{2}\cdot(\sigma^2+\epsilon)^{-3/2}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{1}{2}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)\left(\sigma^2+\epsilon\right)^{-\frac{3}{2}}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{1}{2}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)\frac{1}{(\sigma^2+\epsilon)^{3/2}}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{\gamma}{2}\sum_{i=1}^m \frac{\partial f}{\partial y_i}(x_i-\mu)(\sigma^2+\epsilon)^{-3/2}",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"-\frac{1}{\sqrt{\sigma^2+\epsilon}}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}\cdot\frac{-1}{\sqrt{\sigma^2+\epsilon}}",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"\left(\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}\frac{-1}{\sqrt{\sigma^2+\epsilon}}\right) + \frac{\partial f}{\partial \sigma^2}\frac{\sum_{i=1}^m -2(x_i-\mu)}{m}",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}\frac{-1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial f}{\partial \sigma^2}\frac{1}{m}\sum_{i=1}^m -2(x_i-\mu)",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}\frac{-1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial f}{\partial \sigma^2}\cdot\frac{-2}{m}\sum_{i=1}^m (x_i-\mu)",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}\frac{-1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial f}{\partial \sigma^2}\cdot\frac{\sum_{i=1}^m -2(x_i-\mu)}{m}",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}\frac{-1}{\sqrt{\sigma^2+\epsilon}} - \frac{2}{m}\frac{\partial f}{\partial \sigma^2}\sum_{i=1}^m (x_i-\mu)",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"-(\sigma^2+\epsilon)^{-1/2}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"-\frac{\gamma}{\sqrt{\sigma^2+\epsilon}}\sum_{i=1}^m \frac{\partial f}{\partial y_i}",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"-\frac{\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}}{\sqrt{\sigma^2+\epsilon}}",
    ),
    ("dl-ex1", "q3.e", "-sum_i dxhat_i / sqrt(sigma^2 + eps)"),
    ("dl-ex1", "q3.e", "-sum_i dxhat_i / sqrt(var + eps) + dvar * (-2/m) * sum_i (x_i - mu)"),
    (
        "dl-ex1",
        "q3.e",
        r"\frac{\partial f}{\partial \mu} = -\frac{1}{\sqrt{\sigma^2+\epsilon}}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"\frac{\partial L}{\partial \mu_B} = -\frac{1}{\sqrt{\sigma_B^2+\epsilon}}\sum_{i=1}^m \frac{\partial L}{\partial \hat{x}_i}",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"\left(\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}\cdot\frac{-1}{\sqrt{\sigma^2+\epsilon}}\right)+\frac{\partial f}{\partial \sigma^2}\cdot\frac{\sum_{i=1}^m-2(x_i-\mu)}{m}",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}\frac{-1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial f}{\partial \sigma^2}\frac{-2}{m}\sum_{i=1}^m (x_i-\mu)",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial f}{\partial \sigma^2}\frac{2(x_i-\mu)}{m} + \frac{\partial f}{\partial \mu}\frac{1}{m}",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial \hat{x}_i}\cdot\frac{1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial f}{\partial \sigma^2}\cdot\frac{2(x_i-\mu)}{m} + \frac{\partial f}{\partial \mu}\cdot\frac{1}{m}",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\frac{\partial f}{\partial \hat{x}_i}}{\sqrt{\sigma^2+\epsilon}} + \frac{2(x_i-\mu)}{m}\frac{\partial f}{\partial \sigma^2} + \frac{1}{m}\frac{\partial f}{\partial \mu}",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial L}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial L}{\partial \sigma^2}\frac{2(x_i-\mu)}{m} + \frac{\partial L}{\partial \mu}\frac{1}{m}",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial x_i} = \frac{\partial f}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial f}{\partial \sigma^2}\frac{2(x_i-\mu)}{m} + \frac{\partial f}{\partial \mu}\frac{1}{m}",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial L}{\partial x_i} = \frac{\partial L}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma_B^2+\epsilon}} + \frac{\partial L}{\partial \sigma_B^2}\frac{2(x_i-\mu_B)}{m} + \frac{\partial L}{\partial \mu_B}\frac{1}{m}",
    ),
    ("dl-ex1", "q3.f", "dxhat_i / sqrt(var + eps) + dvar * 2 * (x_i - mu) / m + dmu / m"),
    ("dl-ex1", "q3.f", "dxhat_i * (var + eps)^(-1/2) + dvar * 2(x_i - mu)/m + dmu/m"),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}\left(m\frac{\partial f}{\partial y_i} - \sum_{j=1}^m\frac{\partial f}{\partial y_j} - \hat{x}_i\sum_{j=1}^m\frac{\partial f}{\partial y_j}\hat{x}_j\right)",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{1}{m\sqrt{\sigma^2+\epsilon}}\left(m\frac{\partial f}{\partial \hat{x}_i} - \sum_{j=1}^m\frac{\partial f}{\partial \hat{x}_j} - \hat{x}_i\sum_{j=1}^m\frac{\partial f}{\partial \hat{x}_j}\hat{x}_j\right)",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{1}{m}(\sigma^2+\epsilon)^{-1/2}\left(m\frac{\partial f}{\partial \hat{x}_i} - \sum_{j=1}^m\frac{\partial f}{\partial \hat{x}_j} - \hat{x}_i\sum_{j=1}^m\frac{\partial f}{\partial \hat{x}_j}\hat{x}_j\right)",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\gamma}{\sqrt{\sigma^2+\epsilon}}\left(\frac{\partial f}{\partial y_i} - \frac{1}{m}\sum_{j=1}^m\frac{\partial f}{\partial y_j} - \frac{\hat{x}_i}{m}\sum_{j=1}^m\frac{\partial f}{\partial y_j}\hat{x}_j\right)",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial f}{\partial \sigma^2}\frac{2(x_i-\mu)}{m} + \frac{1}{m}\frac{\partial f}{\partial \mu}",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial f}{\partial \sigma^2}\frac{2}{m}(x_i-\mu) + \frac{\partial f}{\partial \mu}\frac{1}{m}",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial f}{\partial \sigma^2}\frac{2(x_i-\mu)}{m} + \frac{\partial f}{\partial \mu}\frac{1}{m} + 0",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}\left(m\frac{\partial f}{\partial y_i} - \sum_{i=1}^m\frac{\partial f}{\partial y_i} - \hat{x}_i\sum_{i=1}^m\frac{\partial f}{\partial y_i}\hat{x}_i\right)",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}\left(m\frac{\partial f}{\partial y_i} - \sum_{k=1}^m\frac{\partial f}{\partial y_k} - \frac{x_i-\mu}{\sqrt{\sigma^2+\epsilon}}\sum_{k=1}^m\frac{\partial f}{\partial y_k}\frac{x_k-\mu}{\sqrt{\sigma^2+\epsilon}}\right)",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma\left(\frac{\partial L}{\partial y_i} - \frac{1}{n}\sum_{j=1}^n \frac{\partial L}{\partial y_j}\right)",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma\frac{\partial L}{\partial y_i} - \frac{\gamma}{n}\sum_{j=1}^{n}\frac{\partial L}{\partial y_j}",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\frac{\gamma}{n}\left(n\frac{\partial L}{\partial y_i} - \sum_{j=1}^{n}\frac{\partial L}{\partial y_j}\right)",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\frac{\partial L}{\partial x_i} = \gamma\left(\frac{\partial L}{\partial y_i} - \frac{1}{n}\sum_{j=1}^n \frac{\partial L}{\partial y_j}\right)",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\frac{\partial f}{\partial x_i} = \gamma\left(\frac{\partial f}{\partial y_i} - \frac{1}{n}\sum_{j=1}^n \frac{\partial f}{\partial y_j}\right)",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\frac{dL}{dx_i} = \gamma\left(\frac{dL}{dy_i} - \frac{1}{n}\sum_{j=1}^n \frac{dL}{dy_j}\right)",
    ),
    ("eecs182-hw5", "q2.b.grad", "gamma * (dL/dy_i - (1/n) * sum_{j=1}^n dL/dy_j)"),
    ("eecs182-hw5", "q2.b.grad", "gamma*dy_i - gamma/n*sum_j dy_j"),
    ("eecs182-hw5", "q2.b.grad", "γ(∂L/∂y_i − (1/n)Σ_j ∂L/∂y_j)"),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma\left(\frac{\partial L}{\partial y_i} - \frac{1}{n}\sum_{k=1}^n \frac{\partial L}{\partial y_k}\right)",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma\frac{\partial L}{\partial y_i} - \frac{\gamma}{n}\sum_{i=1}^n \frac{\partial L}{\partial y_i}",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma\left(\frac{\partial L}{\partial y_i} - \frac{1}{n}\sum_{j} \frac{\partial L}{\partial y_j}\right)",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma\left(\frac{\partial L}{\partial y_i} - \frac{1}{n}\sum_{j=1}^{n} \frac{\partial L}{\partial y_{j}}\right)",
    ),
    ("eecs182-hw5", "q2.b.ninf", r"\gamma \frac{\partial L}{\partial y_i}"),
    ("eecs182-hw5", "q2.b.ninf", r"\frac{\partial L}{\partial y_i}\gamma"),
    ("eecs182-hw5", "q2.b.ninf", "gamma * dL/dy_i"),
    ("eecs182-hw5", "q2.b.ninf", "gamma*dy_i"),
    (
        "eecs182-hw5",
        "q2.b.ninf",
        r"\frac{\partial L}{\partial x_i} = \gamma \frac{\partial L}{\partial y_i}",
    ),
    (
        "eecs182-hw5",
        "q2.b.ninf",
        r"\lim_{n\to\infty}\frac{\partial L}{\partial x_i} = \gamma \frac{\partial L}{\partial y_i}",
    ),
    ("eecs182-hw5", "q4.b", r"p\tilde{w}"),
    ("eecs182-hw5", "q4.b", r"p \tilde w"),
    ("eecs182-hw5", "q4.b", r"p\widetilde{w}"),
    ("eecs182-hw5", "q4.b", r"\tilde{w} p"),
    ("eecs182-hw5", "q4.b", r"p \cdot \tilde{w}"),
    ("eecs182-hw5", "q4.b", "p*w_tilde"),
    ("eecs182-hw5", "q4.b", "p w~"),
    ("eecs182-hw5", "q4.b", r"w = p\tilde{w}"),
    ("eecs182-hw5", "q4.b", r"w^* = p\tilde{w}"),
    ("eecs182-hw5", "q4.b", r"\mathbf{w} = p\tilde{\mathbf{w}}"),
    ("eecs182-hw5", "q4.b", r"p\tilde{\mathbf{w}}"),
    ("eecs182-hw5", "q4.b", r"p\,\tilde{w}"),
    ("eecs182-hw5", "q4.b", "pw̃"),
    ("eecs182-hw5", "q4.b", r"\frac{p}{1}\tilde{w}"),
    ("eecs182-hw5", "q4.b", r"\frac{\tilde{w}}{1/p}"),
    ("eecs182-hw5", "q4.b", "p*w~"),
    ("eecs182-hw5", "q4.b", "w = p*w~"),
    ("eecs182-hw5", "q4.b", r"p\tilde{w}/1"),
    ("eecs182-hw5", "q4.c", r"X\Gamma^{-1}"),
    ("eecs182-hw5", "q4.c", r"X \Gamma^{-1}"),
    ("eecs182-hw5", "q4.c", r"X\cdot\Gamma^{-1}"),
    ("eecs182-hw5", "q4.c", "X*Gamma^(-1)"),
    ("eecs182-hw5", "q4.c", "X Gamma^-1"),
    ("eecs182-hw5", "q4.c", "XΓ^{-1}"),
    ("eecs182-hw5", "q4.c", "XΓ⁻¹"),
    ("eecs182-hw5", "q4.c", r"\tilde{X} = X\Gamma^{-1}"),
    ("eecs182-hw5", "q4.c", r"\widetilde{X} = X\Gamma^{-1}"),
    ("eecs182-hw5", "q4.c", "X_tilde = X Gamma^{-1}"),
    ("eecs182-hw5", "q4.c", r"\tilde X = X\Gamma^{-1}"),
    ("eecs182-hw5", "q4.c", r"\mathbf{X}\mathbf{\Gamma}^{-1}"),
    ("eecs182-hw5", "q4.c", r"X(\Gamma^{-1})"),
    ("eecs182-hw5", "q4.c", r"X\left(\Gamma\right)^{-1}"),
    ("eecs182-hw5", "q4.c", r"((\Gamma^{-1})^T X^T)^T"),
    ("eecs182-hw5", "q4.c", r"(\Gamma^{-T} X^T)^T"),
    ("eecs182-hw5", "q4.c", "X~ = X Gamma^-1"),
    ("eecs182-hw5", "q4.c", r"X\frac{1}{\Gamma}"),
    ("eecs182-hw5", "q4.c", r"(\Gamma^{-T}X^T)^T"),
    ("eecs182-hw5", "q4.c", r"(\Gamma^{-\top}X^\top)^\top"),
    ("eecs182-hw5", "q8.A", r"\mu"),
    ("eecs182-hw5", "q8.A", "mu"),
    ("eecs182-hw5", "q8.A", "μ"),
    ("eecs182-hw5", "q8.A", r"A = \mu"),
    ("eecs182-hw5", "q8.A", r"(A) = \mu"),
    ("eecs182-hw5", "q8.B", r"\sigma^2"),
    ("eecs182-hw5", "q8.B", r"\sigma^{2}"),
    ("eecs182-hw5", "q8.B", "sigma^2"),
    ("eecs182-hw5", "q8.B", "sigma**2"),
    ("eecs182-hw5", "q8.B", "σ²"),
    ("eecs182-hw5", "q8.B", r"\sigma\cdot\sigma"),
    ("eecs182-hw5", "q8.B", r"(\sigma)^2"),
    ("eecs182-hw5", "q8.B", r"B = \sigma^2"),
    ("eecs182-hw5", "q8.B", r"(B) = \sigma^2"),
    ("eecs182-hw5", "q8.B", r"\sigma^2 + \mu^2 - \mu^2"),
]

# Each row: problem set, field, answer, words the feedback must contain.
MISTAKES = [
    (
        "dl-ex1",
        "q1.e",
        "ReLU(X W_h + b_h) W_o + b_o",
        "Every neuron applies ReLU, the output layer's to",
    ),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_h) W_o)", "The output layer's bias is missing"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h) W_o + b_o)", "The hidden layer's bias is missing"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h) W_o)", "The biases are missing"),
    (
        "dl-ex1",
        "q1.e",
        "ReLU(ReLU(X W_h + b_h)) W_o + b_o",
        "Every neuron applies ReLU, the output layer's to",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} x_i",
        r"$\gamma$ multiplies the normalized input $\hat{x",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\frac{1}{m}\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \hat{x}_i",
        r"$\gamma$ enters every $y_i$ and the contribution",
    ),
    (
        "dl-ex1",
        "q3.b",
        r"\frac{1}{m} \sum_{i=1}^m \frac{\partial f}{\partial y_i}",
        r"$\beta$ enters every $y_i$ and the contributions",
    ),
    (
        "dl-ex1",
        "q3.c",
        r"\gamma \sum_{j=1}^m \frac{\partial f}{\partial y_j}",
        r"$\hat{x}_i$ only affects $y_i$, so there is noth",
    ),
    (
        "dl-ex1",
        "q3.c",
        r"\frac{\partial f}{\partial y_i}",
        r"The chain rule through $y_i = \gamma \hat{x}_i +",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)(\sigma^2+\epsilon)^{-3/2}",
        r"Differentiating $(\sigma^2 + \epsilon)^{-1/2}$ b",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{1}{2}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)(\sigma^2)^{-3/2}",
        r"$\epsilon$ disappeared",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{1}{2}\sum_{i=1}^m \frac{\partial f}{\partial y_i}(x_i-\mu)(\sigma^2+\epsilon)^{-3/2}",
        r"The chain rule through $y_j = \gamma \hat{x}_j +",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2+\epsilon}}",
        "Check the sign",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"-\frac{1}{\sqrt{\sigma^2+\epsilon}}\sum_{i=1}^m \frac{\partial f}{\partial y_i}",
        r"The chain rule through $y_j = \gamma \hat{x}_j +",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial f}{\partial \sigma^2}\frac{2(x_i-\mu)}{m}",
        r"$x_i$ also affects $f$ through $\mu$",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial f}{\partial \mu}\frac{1}{m}",
        r"$x_i$ also affects $f$ through $\sigma^2$",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial f}{\partial \sigma^2}\frac{2(x_i-\mu)}{m-1} + \frac{\partial f}{\partial \mu}\frac{1}{m}",
        r"The variance here is the biased one, with $\frac",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma \frac{\partial L}{\partial y_i}",
        r"$\mu$ depends on $x_i$ too, and through it every",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma\left(1-\frac{1}{n}\right)\frac{\partial L}{\partial y_i}",
        r"Through $\mu$, $x_i$ changes every $y_j$, not on",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\left(\frac{\partial L}{\partial y_i} - \frac{1}{n}\sum_{j=1}^n \frac{\partial L}{\partial y_j}\right)",
        r"The chain rule through $y_j = \gamma \hat{x}_j +",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\frac{\partial L}{\partial y_i} - \frac{1}{n}\sum_{j=1}^n \frac{\partial L}{\partial y_j}",
        r"The chain rule through $y_j = \gamma \hat{x}_j +",
    ),
    ("eecs182-hw5", "q2.b.ninf", "0", "Only the share of each $y_j$ that goes through $"),
    ("eecs182-hw5", "q4.b", r"\tilde{w}/p", r"Compare the data terms $Xw$ and $pX\tilde{w}$ ag"),
    ("eecs182-hw5", "q4.c", r"X\Gamma", r"Write $w$ in terms of $\tilde{w}$ first, then su"),
    ("eecs182-hw5", "q8.A", r"\mu^2+\sigma^2", "$A$ multiplies $Xw$ inside the norm"),
    ("eecs182-hw5", "q8.B", r"\sigma", "$B$ weighs a squared norm"),
    ("eecs182-hw5", "q8.B", r"\mu^2+\sigma^2", "Part of the second moment is already accounted f"),
]

# Each row: problem set, field, answer that deserves no credit.
WRONG = [
    ("dl-ex1", "q1.e", r"\max(XW_h + b_h, 0)"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_h) W_o) + 0 + ReLU(0)"),
    ("dl-ex1", "q1.e", "ReLU(W_o^T ReLU(W_h^T X^T + b_h) + b_o)^T"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h - b_h) W_o + b_o)"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_o) W_o + b_h)"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_h) W_h + b_o)"),
    ("dl-ex1", "q1.e", "ReLU(X W_h W_o + b_o)"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_h) W_o^T + b_o)"),
    ("dl-ex1", "q1.e", "ReLU(W_o ReLU(W_h X + b_h) + b_o)"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X^T W_h + b_h) W_o + b_o)"),
    ("dl-ex1", "q1.e", "ReLU(X W_h + b_h)"),
    ("dl-ex1", "q1.e", "X W_h W_o"),
    ("dl-ex1", "q1.e", "2 ReLU(ReLU(X W_h + b_h) W_o + b_o)"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_h) W_o + b_o) + b_o"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + 2b_h) W_o + b_o)"),
    ("dl-ex1", "q1.e", "ReLU(X W_h + b_h)^{-1}"),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_h) W_o + b_o)^{-T}"),
    ("dl-ex1", "q1.e", "((((X W_h)^T)^T)^T)^T"),
    ("dl-ex1", "q1.e", "(W_h^T W_h)^{1000}"),
    ("dl-ex1", "q1.e", "(W_h^T W_h)^{-1}"),
    ("dl-ex1", "q1.e", "(W_h W_h^T)^{-1}"),
    ("dl-ex1", "q1.e", "(W_h W_h^T)^{1/2}"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \frac{x_i-\mu}{\sigma}"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i}"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \gamma"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m-1} \frac{\partial f}{\partial y_i} \hat{x}_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=0}^{m} \frac{\partial f}{\partial y_i} \hat{x}_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \hat{x}_{i+1}"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \hat{x}_i \gamma"),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} (\hat{x}_i \gamma + \beta)",
    ),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} y_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \hat{x}_i^2"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y^{(i)}} (\hat{x}^{(i)})^2"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m^{10}} \frac{\partial f}{\partial y_i} \hat{x}_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{10^{9}} \frac{\partial f}{\partial y_i}"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_{m+1000000}}"),
    ("dl-ex1", "q3.a", r"(\sigma^2+\epsilon)^{1000}"),
    ("dl-ex1", "q3.a", r"\sqrt{-\sigma^2-\epsilon}"),
    ("dl-ex1", "q3.a", r"\frac{1}{\sigma^2-\sigma^2}"),
    ("dl-ex1", "q3.a", r"\frac{1}{m-m}"),
    ("dl-ex1", "q3.a", r"\hat{x}_{0}"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{\gamma} x_i"),
    ("dl-ex1", "q3.a", r"\sum_{i=1}^{m} x_i^{x_i^{x_i^{x_i}}}"),
    ("dl-ex1", "q3.b", r"\sum_{i=1}^m \gamma \frac{\partial f}{\partial y_i}"),
    ("dl-ex1", "q3.b", r"\sum_{i=1}^m \frac{\partial f}{\partial y_i} \hat{x}_i"),
    ("dl-ex1", "q3.b", "m"),
    ("dl-ex1", "q3.b", "1"),
    ("dl-ex1", "q3.c", r"\gamma"),
    ("dl-ex1", "q3.c", r"\frac{1}{\gamma}\frac{\partial f}{\partial y_i}"),
    ("dl-ex1", "q3.c", r"\gamma\frac{\partial f}{\partial y_i} + \beta"),
    ("dl-ex1", "q3.c", r"\gamma\frac{\partial f}{\partial y_i}\hat{x}_i"),
    ("dl-ex1", "q3.c", r"\gamma\frac{\partial f}{\partial y_1}"),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{1}{2}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)(\sigma^2+\epsilon)^{-1/2}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{1}{2}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)(\sigma^2+\epsilon)^{-3}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"\frac{1}{2}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)(\sigma^2+\epsilon)^{-3/2}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{1}{2}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)^2(\sigma^2+\epsilon)^{-3/2}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{1}{2m}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)(\sigma^2+\epsilon)^{-3/2}",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{1}{2}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)(\sigma+\epsilon)^{-3/2}",
    ),
    ("dl-ex1", "q3.e", r"-\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}"),
    (
        "dl-ex1",
        "q3.e",
        r"-\frac{1}{\sqrt{\sigma^2}}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"-\frac{1}{m\sqrt{\sigma^2+\epsilon}}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i}",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"-\frac{1}{\sqrt{\sigma^2+\epsilon}}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i} + \frac{\partial f}{\partial \sigma^2}",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"-\frac{1}{\sqrt{\sigma^2+\epsilon}}\sum_{i=1}^m \frac{\partial f}{\partial \hat{x}_i} + \frac{\partial f}{\partial \sigma^2}\frac{-2}{m}\sum_{i=1}^m x_i",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial f}{\partial \sigma^2}\frac{2(x_i-\mu)}{m} - \frac{\partial f}{\partial \mu}\frac{1}{m}",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial f}{\partial \sigma^2}\frac{(x_i-\mu)}{m} + \frac{\partial f}{\partial \mu}\frac{1}{m}",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2}} + \frac{\partial f}{\partial \sigma^2}\frac{2(x_i-\mu)}{m} + \frac{\partial f}{\partial \mu}\frac{1}{m}",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}\left(m\frac{\partial f}{\partial y_i} - \sum_{j=1}^m\frac{\partial f}{\partial y_j} - \hat{x}_i\sum_{j=1}^m\frac{\partial f}{\partial y_j}\right)",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}\left(m\frac{\partial f}{\partial y_i} - \sum_{j=1}^m\frac{\partial f}{\partial y_j} + \hat{x}_i\sum_{j=1}^m\frac{\partial f}{\partial y_j}\hat{x}_j\right)",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\gamma}{\sqrt{\sigma^2+\epsilon}}\left(m\frac{\partial f}{\partial y_i} - \sum_{j=1}^m\frac{\partial f}{\partial y_j} - \hat{x}_i\sum_{j=1}^m\frac{\partial f}{\partial y_j}\hat{x}_j\right)",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}\left(m\frac{\partial f}{\partial y_i} - \sum_{j=1}^m\frac{\partial f}{\partial y_j} - \hat{x}_i\sum_{j=1}^m\frac{\partial f}{\partial y_j}\hat{x}_i\right)",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\sum_{i=1}^m \frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}\left(m\frac{\partial f}{\partial y_i} - \sum_{j=1}^m\frac{\partial f}{\partial y_j} - \hat{x}_i\sum_{j=1}^m\frac{\partial f}{\partial y_j}\hat{x}_j\right)",
    ),
    ("dl-ex1", "q3.f", r"\frac{\gamma}{\sqrt{\sigma^2+\epsilon}}\frac{\partial f}{\partial y_i}"),
    ("dl-ex1", "q3.f", r"\frac{\partial f}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2+\epsilon}}"),
    (
        "dl-ex1",
        "q3.f",
        r"\sum_{j=1}^{m}\sum_{k=1}^{m}\sum_{l=1}^{m}\sum_{n=1}^{m}\sum_{o=1}^{m}\sum_{p=1}^{m} \frac{\partial f}{\partial y_j}",
    ),
    ("dl-ex1", "q3.f", r"\hat{x}_{i-1}"),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma\left(\frac{\partial L}{\partial y_i} + \frac{1}{n}\sum_{j=1}^n \frac{\partial L}{\partial y_j}\right)",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma\left(\frac{\partial L}{\partial y_i} - \sum_{j=1}^n \frac{\partial L}{\partial y_j}\right)",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma\left(\frac{\partial L}{\partial y_i} - \frac{1}{n-1}\sum_{j=1}^n \frac{\partial L}{\partial y_j}\right)",
    ),
    ("eecs182-hw5", "q2.b.grad", r"\gamma\sum_{j=1}^n \frac{\partial L}{\partial y_j}"),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma\left(\frac{\partial L}{\partial y_i} - \frac{1}{n}\sum_{i=1}^n \frac{\partial L}{\partial y_i}\right)\frac{n-1}{n}",
    ),
    ("eecs182-hw5", "q2.b.ninf", r"\gamma"),
    ("eecs182-hw5", "q2.b.ninf", r"\frac{\partial L}{\partial y_i}"),
    (
        "eecs182-hw5",
        "q2.b.ninf",
        r"\gamma\left(\frac{\partial L}{\partial y_i} - \frac{1}{n}\sum_{j=1}^n \frac{\partial L}{\partial y_j}\right)",
    ),
    ("eecs182-hw5", "q4.b", r"\tilde{w}"),
    ("eecs182-hw5", "q4.b", r"(1-p)\tilde{w}"),
    ("eecs182-hw5", "q4.b", r"p^2\tilde{w}"),
    ("eecs182-hw5", "q4.b", r"\sqrt{p}\tilde{w}"),
    ("eecs182-hw5", "q4.b", r"p(1-p)\tilde{w}"),
    ("eecs182-hw5", "q4.b", "p"),
    ("eecs182-hw5", "q4.b", r"\frac{p}{p-p}\tilde{w}"),
    ("eecs182-hw5", "q4.c", r"\Gamma^{-1}X"),
    ("eecs182-hw5", "q4.c", r"X\Gamma^{-T}"),
    ("eecs182-hw5", "q4.c", r"\Gamma X"),
    ("eecs182-hw5", "q4.c", r"X\Gamma^{T}"),
    ("eecs182-hw5", "q4.c", "X"),
    ("eecs182-hw5", "q4.c", r"X\Gamma^{-2}"),
    ("eecs182-hw5", "q4.c", r"X^{-1}\Gamma"),
    ("eecs182-hw5", "q4.c", r"X\Gamma^{-1000}"),
    ("eecs182-hw5", "q4.c", r"X(\Gamma-\Gamma)^{-1}"),
    ("eecs182-hw5", "q8.A", r"\mu^2"),
    ("eecs182-hw5", "q8.A", "1"),
    ("eecs182-hw5", "q8.A", r"\sigma"),
    ("eecs182-hw5", "q8.A", r"\sigma^2"),
    ("eecs182-hw5", "q8.A", r"-\mu"),
    ("eecs182-hw5", "q8.B", r"\sigma^2/\mu^2"),
    ("eecs182-hw5", "q8.B", r"\mu\sigma^2"),
    ("eecs182-hw5", "q8.B", r"\mu^2"),
    ("eecs182-hw5", "q8.B", r"2\sigma^2"),
    ("eecs182-hw5", "q8.B", r"\sigma^4"),
    ("eecs182-hw5", "q8.B", r"\sigma^{\sigma^{\sigma^{\sigma}}}"),
    ("eecs182-hw5", "q8.B", r"0^{\sigma}"),
    ("eecs182-hw5", "q8.B", r"\mu^{-1000}"),
]

# Each row: problem set, field, answer, the start of the message that says what is wrong.
# Besides hostile text, some readable-looking answers are refused on purpose because a careful
# grader would not accept them either: an unnamed activation (\sigma(...), g(...)), X @ W,
# a matrix divided by a matrix, \delta_{ij} and sums written with dots or \neq, and chain-rule
# factors left unevaluated (\frac{\partial y_i}{\partial \gamma}).
INVALID = [
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_h)W_o + b_o)..", "the character '.' cannot be used"),
    (
        "dl-ex1",
        "q1.e",
        "relu(relu(X @ W_h + b_h) @ W_o + b_o)",
        "the character '@' cannot be used in an answer",
    ),
    ("dl-ex1", "q1.e", r"\sigma(\sigma(X W_h + b_h) W_o + b_o)", "unknown symbol '\\sigma'"),
    (
        "dl-ex1",
        "q1.e",
        "f(X) = ReLU(ReLU(X W_h + b_h) W_o + b_o)",
        "the left side of '=' is not the quantity asked for; write only the expression",
    ),
    ("dl-ex1", "q1.e", "ReLU(H W_o + b_o)", "unknown symbol 'H'"),
    ("dl-ex1", "q1.e", r"\phi(\phi(XW_h+b_h)W_o+b_o)", "unknown symbol '\\phi'"),
    ("dl-ex1", "q1.e", "g(g(XW_h+b_h)W_o+b_o)", "unknown function 'g'"),
    (
        "dl-ex1",
        "q1.e",
        r"ReLU(ReLU(X W_h + b_h) W_o + b_o) \in \mathbb{R}^{m \times 3}",
        "unknown command '\\in'",
    ),
    ("dl-ex1", "q1.e", "ReLU(ReLU(X W_h + b_h) W_o + b_o", "this '(' has no matching bracket"),
    (
        "dl-ex1",
        "q1.e",
        "__import__('os').system('ls')",
        "the character '.' cannot be used in an answer",
    ),
    ("dl-ex1", "q1.e", "().__class__", "the character '.' cannot be used in an answer"),
    ("dl-ex1", "q1.e", "9^9^9", "exponents larger than 1000 are not accepted"),
    (
        "dl-ex1",
        "q1.e",
        "ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(ReLU(X))))))))))))))))))))))))))))))))))))))))))))))))))",
        "brackets or operations are nested too deeply",
    ),
    (
        "dl-ex1",
        "q1.e",
        "Y = Z = ReLU(X)",
        "only one '=' is allowed, after the name of the quantity",
    ),
    (
        "dl-ex1",
        "q1.e",
        "W_h = ReLU(X)",
        "the left side of '=' is not the quantity asked for; write only the expression",
    ),
    (
        "dl-ex1",
        "q1.e",
        "ReLU(ReLU(X W_h + b_h) W_o + b_o) = Y",
        "the left side of '=' is not the quantity asked for; write only the expression",
    ),
    ("dl-ex1", "q1.e", "", "The answer is empty."),
    ("dl-ex1", "q1.e", "$$", "The answer is empty."),
    ("dl-ex1", "q1.e", r"\exp(X)", "unknown function '\\exp'"),
    (
        "dl-ex1",
        "q1.e",
        "ReLU(ReLU(X W_h + b_h) W_o + b_o) / W_o",
        "dividing a matrix by a matrix is ambiguous; multiply by the inverse (M^{-1}) on the side where it belongs",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \frac{\partial y_i}{\partial \gamma}",
        "this derivative is not one of the quantities that may be used here",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\frac{\partial f}{\partial y_i} \hat{x}_i",
        "index i is not bound by a sum",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \hat{x}_j",
        "index j is not bound by a sum",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_{i=1}^{m} \frac{\partial f}{\partial \hat{x}_i} \hat{x}_i",
        "this derivative is not one of the quantities that may be used here",
    ),
    ("dl-ex1", "q3.a", r"\frac{\partial f}{\partial y} \hat{x}", "y needs an index, as in y_i"),
    (
        "dl-ex1",
        "q3.a",
        r"\sum \frac{\partial f}{\partial y_i} \hat{x}_i",
        "write the sum's index, as in \\sum_{j=1}^{m}",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_{i=1}^{m} \frac{\partial f}{\partial y^{(i)}} \hat{x}^{(2)}",
        r"\hat{x} needs an index, as in \hat{x}_i",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_{i=1}^{m} \frac{\partial f}{\partial y^{(i)}} \hat{x}^{2}",
        r"\hat{x} needs an index, as in \hat{x}_i",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i} \hat{x}",
        r"\hat{x} needs an index, as in \hat{x}_i",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_{i=1} \frac{\partial f}{\partial y_i} \hat{x}_i",
        r"write both limits of the sum, as in \sum_{j=1}^{m}",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_{i}}^{10^{300}}",
        "exponents larger than 1000 are not accepted",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"x_{\hat{x}_1}",
        "an index must be a letter, a whole number, or a letter plus or minus a number",
    ),
    (
        "dl-ex1",
        "q3.a",
        r"\sum_{\gamma=1}^m x_\gamma",
        "write the sum's index, as in \\sum_{j=1}^{m}",
    ),
    (
        "dl-ex1",
        "q3.b",
        r"\sum_{i=1}^m \frac{\partial f}{\partial y_i}\frac{\partial y_i}{\partial \beta}",
        "this derivative is not one of the quantities that may be used here",
    ),
    (
        "dl-ex1",
        "q3.b",
        r"\frac{\partial f}{\partial y_1} + \dots + \frac{\partial f}{\partial y_m}",
        r"write a sum with \sum_{j=1}^{m}, not with dots",
    ),
    (
        "dl-ex1",
        "q3.b",
        r"\frac{\partial f}{\partial y_1} + \cdots + \frac{\partial f}{\partial y_m}",
        r"write a sum with \sum_{j=1}^{m}, not with dots",
    ),
    ("dl-ex1", "q3.b", r"\frac{\partial f}{\partial y_i}", "index i is not bound by a sum"),
    (
        "dl-ex1",
        "q3.c",
        r"\frac{\partial f}{\partial y_i}\frac{\partial y_i}{\partial \hat{x}_i}",
        "this derivative is not one of the quantities that may be used here",
    ),
    (
        "dl-ex1",
        "q3.c",
        r"\frac{\gamma \partial f}{\partial y_i}",
        "this derivative is not one of the quantities that may be used here",
    ),
    ("dl-ex1", "q3.c", r"\frac{\partial f}{\partial y_j}\gamma", "index j is not bound by a sum"),
    (
        "dl-ex1",
        "q3.c",
        r"\frac{\partial f}{\partial \hat{x}_i}",
        "this derivative is not one of the quantities that may be used here",
    ),
    (
        "dl-ex1",
        "q3.d",
        r"-\frac{1}{2}\frac{\partial f}{\partial \hat{x}_i}(x_i-\mu)(\sigma^2+\epsilon)^{-3/2}",
        "index i is not bound by a sum",
    ),
    (
        "dl-ex1",
        "q3.e",
        r"-\frac{1}{\sqrt{\sigma^2+\epsilon}}\frac{\partial f}{\partial \hat{x}_i}",
        "index i is not bound by a sum",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial \hat{x}_j}\frac{1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial f}{\partial \sigma^2}\frac{2(x_j-\mu)}{m} + \frac{\partial f}{\partial \mu}\frac{1}{m}",
        "index j is not bound by a sum",
    ),
    (
        "dl-ex1",
        "q3.f",
        r"\frac{\partial f}{\partial \hat{x}_i}\frac{1}{\sqrt{\sigma^2+\epsilon}} + \frac{\partial f}{\partial \sigma^2}\frac{2(x_i-\mu)}{m} + \frac{\partial f}{\partial \mu}\frac{1}{m} + \frac{\partial f}{\partial x_i}",
        "this derivative is not one of the quantities that may be used here",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\sum_{j=1}^{n}\frac{\partial L}{\partial y_j}\gamma\left(\delta_{ij} - \frac{1}{n}\right)",
        "unknown symbol '\\delta'",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\sum_{j=1}^{n}\frac{\partial L}{\partial y_j}\gamma\left(\mathbb{1}[i=j] - \frac{1}{n}\right)",
        "unknown command '\\mathbb'",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma\frac{\partial L}{\partial y_i}\left(1 - \frac{1}{n}\right) - \frac{\gamma}{n}\sum_{j \neq i}\frac{\partial L}{\partial y_j}",
        "'\\neq' is not expected here",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma\left(\frac{\partial L}{\partial y_i} - \overline{\frac{\partial L}{\partial y}}\right)",
        "unknown command '\\overline'",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma\left(\frac{\partial L}{\partial y_i} - \frac{1}{n}\frac{\partial L}{\partial y_j}\right)",
        "index j is not bound by a sum",
    ),
    (
        "eecs182-hw5",
        "q2.b.grad",
        r"\gamma\left(\frac{\partial L}{\partial y_i} - \frac{1}{m}\sum_{j=1}^m \frac{\partial L}{\partial y_j}\right)",
        "unknown symbol 'm'",
    ),
    (
        "eecs182-hw5",
        "q2.b.ninf",
        r"\frac{\partial L}{\partial x_i} \to \gamma \frac{\partial L}{\partial y_i}",
        "this derivative is not one of the quantities that may be used here",
    ),
    (
        "eecs182-hw5",
        "q2.b.ninf",
        r"\gamma\frac{\partial L}{\partial y_i} - \gamma\,\mathbb{E}\left[\frac{\partial L}{\partial y}\right]",
        "unknown command '\\mathbb'",
    ),
    ("eecs182-hw5", "q2.b.ninf", r"\infty", "unknown command '\\infty'"),
    ("eecs182-hw5", "q4.b", "pw~", "the character '~' cannot be used in an answer"),
    (
        "eecs182-hw5",
        "q4.b",
        r"\tilde{w} = w/p",
        "the left side of '=' is not the quantity asked for; write only the expression",
    ),
    ("eecs182-hw5", "q4.b", "~w", "the character '~' cannot be used in an answer"),
    ("eecs182-hw5", "q4.b", "p~", "unknown command '\\tilde'"),
    ("eecs182-hw5", "q4.b", "p~w", "the character '~' cannot be used in an answer"),
    ("eecs182-hw5", "q4.b", "w~~", "the character '~' cannot be used in an answer"),
    ("eecs182-hw5", "q4.c", r"X \text{inv}(\Gamma)", "unknown function 'inv'"),
    (
        "eecs182-hw5",
        "q4.c",
        r"X/\Gamma",
        "dividing a matrix by a matrix is ambiguous; multiply by the inverse (M^{-1}) on the side where it belongs",
    ),
    (
        "eecs182-hw5",
        "q4.c",
        r"\frac{X}{\Gamma}",
        "dividing a matrix by a matrix is ambiguous; multiply by the inverse (M^{-1}) on the side where it belongs",
    ),
    (
        "eecs182-hw5",
        "q8.A",
        r"\mathbb{E}[\cdot] = \mu",
        "the left side of '=' is not the quantity asked for; write only the expression",
    ),
    ("eecs182-hw5", "q8.B", r"\text{Var}", "unknown symbol 'Var'"),
]

FREE_INDEX_FREE = [("dl-ex1", f"q3.{part}") for part in "abde"]


@pytest.fixture(scope="module")
def runner() -> InProcessRunner:
    return InProcessRunner(ProblemCatalog())


def grade(runner: InProcessRunner, problem_set: str, field: str, answer: str) -> FieldResult:
    return runner.run(problem_set, field, None, answer)


@pytest.mark.parametrize(("problem_set", "field", "answer"), ACCEPTED)
def test_accepted_spellings_get_full_credit(
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


@pytest.mark.parametrize(("problem_set", "field", "answer"), WRONG)
def test_wrong_answers_get_no_credit(
    runner: InProcessRunner, problem_set: str, field: str, answer: str
) -> None:
    result = grade(runner, problem_set, field, answer)
    assert result.verdict == Verdict.INCORRECT, result.feedback
    assert result.score == 0
    assert result.feedback.startswith("Not correct.")


@pytest.mark.parametrize(("problem_set", "field", "answer", "message"), INVALID)
def test_unreadable_answers_say_why(
    runner: InProcessRunner, problem_set: str, field: str, answer: str, message: str
) -> None:
    result = grade(runner, problem_set, field, answer)
    assert result.verdict == Verdict.INVALID
    assert result.score == 0
    assert result.feedback.startswith(message), result.feedback


@pytest.mark.parametrize(("problem_set", "field"), FREE_INDEX_FREE)
def test_hints_name_no_index_the_answer_does_not_have(
    runner: InProcessRunner, problem_set: str, field: str
) -> None:
    result = grade(
        runner, problem_set, field, r"\sum_{j=1}^{m} \frac{\partial f}{\partial y_j} \gamma^3"
    )
    assert result.verdict == Verdict.INCORRECT
    assert "for a batch of m = " in result.feedback
    assert "i = " not in result.feedback
