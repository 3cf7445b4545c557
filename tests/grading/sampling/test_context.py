"""What every sampling context promises: determinism, caching, read-only samples."""

import numpy as np
import pytest

from app.grading.sampling.context import SamplingContext, signed
from app.grading.sampling.contexts import CONTEXTS


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_batches_are_deterministic_cached_and_read_only(name: str) -> None:
    first, second = CONTEXTS[name](), CONTEXTS[name]()
    assert first.batches() is first.batches()
    for one, other in zip(first.batches(), second.batches(), strict=True):
        for symbol, value in one.values.items():
            np.testing.assert_array_equal(value, other.values[symbol])
            with pytest.raises(ValueError, match="read-only"):
                value[...] = 0.0


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_every_symbol_and_quantity_is_sampled(name: str) -> None:
    context: SamplingContext = CONTEXTS[name]()
    for batch in context.batches():
        assert set(batch.values) == context.symbols()
        assert set(batch.quantities) == context.quantity_names()
        assert set(context.shapes()) <= context.symbols()
        for values in (*batch.values.values(), *batch.quantities.values()):
            assert values.shape[0] == batch.draws and np.isfinite(values).all()


def test_quantity_indices_follow_the_free_index() -> None:
    batchnorm = CONTEXTS["batchnorm"]()
    assert batchnorm.quantity_indices("dx_i") == frozenset({"i"})
    assert batchnorm.quantity_indices("dgamma") == frozenset()
    assert CONTEXTS["multiplicative_noise"]().quantity_indices("A") == frozenset()


def test_signed_values_keep_away_from_zero_and_take_both_signs() -> None:
    values = signed(np.random.default_rng(0), 1_000, low=0.5, high=2.0)
    assert (np.abs(values) >= 0.5).all() and (np.abs(values) <= 2.0).all()
    assert 0.4 < (values < 0).mean() < 0.6
