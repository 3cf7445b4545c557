"""Distributions: summary numbers and histogram counts against a computation in plain Python."""

import bisect
import statistics

import pytest

from app.stats.distribution import BINS, distribution

CASES = [
    ("one value", [42.0], 100.0),
    ("an odd count", [3.0, 1.0, 2.0], 10.0),
    ("an even count: mean of the middle two", [4.0, 1.0, 3.0, 2.0], 10.0),
    ("values on bin edges", [0.0, 10.0, 20.0, 90.0, 100.0], 100.0),
    ("every value at the top", [100.0, 100.0], 100.0),
    ("accuracies", [0.8712, 0.9034, 0.9034, 0.1207, 0.0], 1.0),
    ("fractional points", [1.7857142857142858, 3.125, 97.5, 55.55], 100.0),
]


def binned(values: list[float], upper: float) -> list[int]:
    """Counts in equal bins of [0, upper], the last closed; values outside go to the ends."""
    edges = [upper * index / BINS for index in range(BINS + 1)]
    counts = [0] * BINS
    for value in values:
        clipped = min(max(value, 0.0), upper)
        counts[min(bisect.bisect_right(edges, clipped) - 1, BINS - 1)] += 1
    return counts


@pytest.mark.parametrize(
    ("values", "upper"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_a_distribution_matches_plain_python(values: list[float], upper: float) -> None:
    result = distribution(values, upper=upper)
    assert result.count == len(values)
    assert result.mean == pytest.approx(statistics.fmean(values))
    assert result.median == pytest.approx(statistics.median(values))
    assert (result.minimum, result.maximum) == (min(values), max(values))
    edges = result.histogram.edges
    assert edges == pytest.approx([upper * index / BINS for index in range(BINS + 1)])
    assert (edges[0], edges[-1]) == (0.0, upper)
    assert result.histogram.counts == binned(values, upper)


def test_values_outside_the_range_are_counted_in_the_end_bins() -> None:
    result = distribution([-5.0, 150.0, 50.0], upper=100.0)
    assert result.histogram.counts == [1, 0, 0, 0, 0, 1, 0, 0, 0, 1]
    assert (result.minimum, result.maximum) == (-5.0, 150.0)


@pytest.mark.parametrize("upper", [1.0, 100.0])
def test_no_values_give_zero_counts_and_no_numbers(upper: float) -> None:
    result = distribution([], upper=upper)
    assert result.count == 0
    assert [result.mean, result.median, result.minimum, result.maximum] == [None] * 4
    assert result.histogram.counts == [0] * BINS
    assert result.histogram.edges == pytest.approx([upper * i / BINS for i in range(BINS + 1)])
