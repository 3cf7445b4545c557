"""Verdicts and the choice of hint, on hand-made sampled values."""

import numpy as np
import pytest

from app.grading.answers.base import Comparison
from app.grading.messages import sampling as messages
from app.grading.sampling.batch import FloatArray, SampleBatch
from app.grading.sampling.compare import SampledTarget, judge
from app.grading.sampling.scan import IndexUse
from tests.grading.sampling.trees import scalar_batch

BATCHES = (
    scalar_batch(np.random.default_rng(1), draws=4, size=2),
    scalar_batch(np.random.default_rng(2), draws=6, size=3),
)
EXPECTED = tuple(batch.values["a"] * 2 for batch in BATCHES)
NO_USE = IndexUse(frozenset(), frozenset())
USES_I = IndexUse(frozenset({"i"}), frozenset())


def _judge(
    values: tuple[FloatArray, ...],
    *,
    indices: frozenset[str] = frozenset(),
    use: IndexUse = NO_USE,
    expected: tuple[FloatArray, ...] = EXPECTED,
) -> Comparison:
    target = SampledTarget(expected, indices)
    return judge(values, target, BATCHES, use, rtol=1e-6, atol=1e-9)


def _changed(batch: int, draw: int, value: float) -> tuple[FloatArray, ...]:
    values = [expected.copy() for expected in EXPECTED]
    values[batch][draw] = value
    return tuple(values)


def _where(batch: SampleBatch, draw: int, free: frozenset[str] = frozenset()) -> str:
    # Only the batch size and the answer's own free indices are named.
    point = {name: value for name, value in batch.point(draw).items() if name in {"m", *free}}
    return messages.where(point, size_symbol="m")


def test_equal_within_tolerance_matches() -> None:
    nudged = tuple(expected * (1 + 1e-9) for expected in EXPECTED)
    assert _judge(nudged) == Comparison(True)


@pytest.mark.parametrize(
    ("values", "use", "indices", "hint"),
    [
        (_changed(1, 4, 0.5), NO_USE, frozenset(), messages.differs(_where(BATCHES[1], 4))),
        (_changed(1, 2, np.inf), NO_USE, frozenset(), messages.undefined(_where(BATCHES[1], 2))),
        (_changed(0, 3, np.nan), USES_I, frozenset(), messages.undefined(_where(BATCHES[0], 3))),
        (_changed(0, 1, 9.0), NO_USE, frozenset({"i"}), messages.missing_free_index("i")),
        (_changed(0, 1, 9.0), USES_I, frozenset(), messages.extra_free_index("i")),
        (
            _changed(0, 1, 9.0),
            IndexUse(frozenset({"i"}), frozenset({"i"})),
            frozenset({"i"}),
            messages.summed_free_index("i"),
        ),
        (
            _changed(0, 1, 9.0),
            USES_I,
            frozenset({"i"}),
            messages.differs(_where(BATCHES[0], 1, frozenset({"i"}))),
        ),
    ],
)
def test_hint_choice(
    values: tuple[FloatArray, ...], use: IndexUse, indices: frozenset[str], hint: str
) -> None:
    assert _judge(values, use=use, indices=indices) == Comparison(False, hint)


def test_an_index_the_answer_does_not_depend_on_is_not_named() -> None:
    hint = _judge(_changed(1, 4, 0.5)).hint
    assert "i =" not in hint and "m = 3" in hint
    with_i = _judge(_changed(1, 4, 0.5), use=USES_I, indices=frozenset({"i"})).hint
    assert "with i = " in with_i


def test_undefined_is_reported_before_an_earlier_plain_difference() -> None:
    values = _changed(0, 0, 5.0)
    values[1][3] = np.inf
    assert _judge(values).hint == messages.undefined(_where(BATCHES[1], 3))


def test_draws_where_the_reference_is_not_finite_are_not_judged() -> None:
    expected = (EXPECTED[0], EXPECTED[1].copy())
    expected[1][2] = np.nan
    assert _judge(_changed(1, 2, 1.0), expected=expected).matches


def test_a_result_of_another_shape_never_matches() -> None:
    values = (np.zeros((4, 2)), EXPECTED[1])
    assert _judge(values) == Comparison(False, messages.wrong_shape((2,)))
