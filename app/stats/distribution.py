"""Summaries of a set of numbers: count, mean, median, extremes and a histogram of equal bins."""

from collections.abc import Sequence

import numpy

from app.stats.schemas import Distribution, Histogram

BINS = 10


def distribution(values: Sequence[float], *, upper: float, bins: int = BINS) -> Distribution:
    """The summary of `values` with a histogram of `bins` equal bins over [0, upper]."""
    edges = numpy.linspace(0.0, upper, bins + 1)
    if not values:
        empty = Histogram(edges=edges.tolist(), counts=[0] * bins)
        return Distribution(
            count=0, mean=None, median=None, minimum=None, maximum=None, histogram=empty
        )
    array = numpy.asarray(values, dtype=numpy.float64)
    # A value outside [0, upper] is counted in the nearest end bin, so the counts add up to count.
    counts, _ = numpy.histogram(numpy.clip(array, 0.0, upper), bins=edges)
    return Distribution(
        count=len(array),
        mean=float(array.mean()),
        median=float(numpy.median(array)),
        minimum=float(array.min()),
        maximum=float(array.max()),
        histogram=Histogram(edges=edges.tolist(), counts=[int(count) for count in counts]),
    )
