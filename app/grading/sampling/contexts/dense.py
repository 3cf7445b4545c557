"""A two-layer fully connected network with samples as rows (dl-ex1 q1.e)."""

from collections.abc import Mapping

import numpy as np

from app.grading.mathparse.vocabulary import Dim
from app.grading.sampling.batch import FloatArray, SampleBatch
from app.grading.sampling.context import SamplingContext
from reference import dense

BATCH_SIZE_CHOICES = (2, 4, 7, 3, 5, 6, 8, 9, 11)
"""Candidate batch sizes m, of which the first three that equal no layer width are used."""
DRAWS = 4


class DenseNetworkContext(SamplingContext):
    """X (m x n_in), W_h, b_h, W_o, b_o and the column of ones 1_m; the output Y and mistakes."""

    def __init__(self, *, n_in: int = 10, n_hidden: int = 50, n_out: int = 3) -> None:
        for width in (n_in, n_hidden, n_out):
            if isinstance(width, bool) or not isinstance(width, int) or width < 1:
                raise ValueError(f"layer widths must be positive integers, got {width!r}")
        self.n_in, self.n_hidden, self.n_out = n_in, n_hidden, n_out

    def shapes(self) -> Mapping[str, tuple[Dim, ...]]:
        """Symbolic shapes of the vector and matrix symbols."""
        return {
            "X": ("m", self.n_in),
            "W_h": (self.n_in, self.n_hidden),
            "b_h": (self.n_hidden,),
            "W_o": (self.n_hidden, self.n_out),
            "b_o": (self.n_out,),
            "ones_m": ("m", 1),
        }

    def quantity_shapes(self) -> Mapping[str, tuple[Dim, ...]]:
        """Every quantity is an output matrix, one row per sample."""
        return dict.fromkeys(self.quantity_names(), ("m", self.n_out))

    def symbols(self) -> frozenset[str]:
        """Names of the symbols this context gives values for."""
        return frozenset(self.shapes())

    def quantity_names(self) -> frozenset[str]:
        """The output Y and the outputs of networks missing a ReLU or the biases."""
        return frozenset({"Y", "Y_no_output_relu", "Y_no_hidden_relu", "Y_no_bias"})

    def batch_sizes(self) -> tuple[int, ...]:
        """Three batch sizes m, none equal to a layer width, so no transposed result fits."""
        widths = {self.n_in, self.n_hidden, self.n_out}
        return tuple(size for size in BATCH_SIZE_CHOICES if size not in widths)[:3]

    def _draw(self, rng: np.random.Generator) -> tuple[SampleBatch, ...]:
        return tuple(self._batch(rng, size) for size in self.batch_sizes())

    def _batch(self, rng: np.random.Generator, size: int) -> SampleBatch:
        # Zero-mean weights and inputs put about half the pre-activations below zero.
        values = {
            "X": rng.normal(size=(DRAWS, size, self.n_in)),
            "W_h": rng.normal(size=(DRAWS, self.n_in, self.n_hidden)) / np.sqrt(self.n_in),
            "b_h": rng.normal(size=(DRAWS, self.n_hidden)),
            "W_o": rng.normal(size=(DRAWS, self.n_hidden, self.n_out)) / np.sqrt(self.n_hidden),
            "b_o": rng.normal(size=(DRAWS, self.n_out)),
            "ones_m": np.ones((DRAWS, size, 1)),
        }
        quantities = {
            "Y": _forward(values),
            "Y_no_output_relu": _forward(values, output_relu=False),
            "Y_no_hidden_relu": _forward(values, hidden_relu=False),
            "Y_no_bias": _forward(values, biases=False),
        }
        return SampleBatch(size=size, values=values, quantities=quantities, size_symbol="m")


def _forward(
    values: Mapping[str, FloatArray],
    *,
    hidden_relu: bool = True,
    output_relu: bool = True,
    biases: bool = True,
) -> FloatArray:
    # A bias gets an axis for the rows so that it broadcasts over each draw's batch.
    layers = [
        (values["W_h"], values["b_h"][:, None, :]),
        (values["W_o"], values["b_o"][:, None, :]),
    ]
    return dense.forward(
        values["X"], layers, hidden_relu=hidden_relu, output_relu=output_relu, biases=biases
    )
