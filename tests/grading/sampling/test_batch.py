"""Sample batches describe their draws for feedback by size and index, never by value."""

import numpy as np

from app.grading.sampling.batch import EvaluationError, SampleBatch, frozen


def test_point_names_the_size_and_free_indices() -> None:
    batch = SampleBatch(
        size=3,
        values={"a": np.zeros(2)},
        indices={"i": np.array([3, 1])},
        size_symbol="m",
    )
    assert batch.draws == 2
    assert batch.point(0) == {"m": 3, "i": 3}
    assert batch.point(1) == {"m": 3, "i": 1}


def test_point_without_a_size_symbol_is_empty() -> None:
    assert SampleBatch(size=1, values={"a": np.zeros(4)}).point(2) == {}


def test_frozen_arrays_cannot_be_written() -> None:
    array = frozen(np.zeros(3))
    assert not array.flags.writeable


def test_evaluation_error_keeps_its_message() -> None:
    assert EvaluationError("Some words.").message == "Some words."
