"""Index bindings: restoring outer meanings, whole-number checks, masked lookups."""

import numpy as np
import pytest

from app.grading.sampling.batch import EvaluationError, SampleBatch
from app.grading.sampling.indices import MAX_INDEX, Scope, lookup, whole

BATCH = SampleBatch(size=3, values={"x": np.arange(6.0).reshape(2, 3)}, indexed=frozenset({"x"}))


def test_bound_restores_the_outer_binding_and_mask() -> None:
    scope = Scope(BATCH, {"i": 2})
    with scope.bound("i") as bind:
        bind(3, np.array([True, False]))
        assert scope.bindings["i"] == 3 and scope.active is not None
    assert scope.bindings == {"i": 2} and scope.active is None
    with scope.bound("j") as bind:
        bind(1, None)
    assert "j" not in scope.bindings


@pytest.mark.parametrize(
    ("values", "result"),
    [(np.array([2.0, 2.0]), 2), (np.array([1.0, 3.0]), [1, 3])],
)
def test_whole_collapses_equal_draws(values: np.ndarray, result: object) -> None:
    assert np.array_equal(whole(values), result)
    assert isinstance(whole(np.array([2.0, 2.0])), int)


@pytest.mark.parametrize(
    "values",
    [
        np.array([1.5, 1.0]),
        np.array([np.nan, 1.0]),
        np.array([MAX_INDEX + 1.0, 1.0]),
        np.ones((2, 2)),
    ],
)
def test_whole_refuses(values: np.ndarray) -> None:
    with pytest.raises(EvaluationError):
        whole(values)


def test_lookup_ignores_out_of_range_indices_in_inactive_draws() -> None:
    scope = Scope(BATCH, {}, active=np.array([True, False]))
    np.testing.assert_array_equal(lookup("x", np.array([2, 7]), scope), [1.0, 5.0])
    with pytest.raises(EvaluationError):
        lookup("x", np.array([7, 2]), scope)
