"""Numeric-sampling equivalence: evaluate expressions at random but consistent sample points."""

from app.grading.sampling.batch import EvaluationError, SampleBatch
from app.grading.sampling.evaluate import evaluate
from app.grading.sampling.shapes import ShapeFailure, infer_shape

__all__ = ["EvaluationError", "SampleBatch", "ShapeFailure", "evaluate", "infer_shape"]
