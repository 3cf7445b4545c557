"""Recovering a 1-D filter from a signal and its valid cross-correlation, exactly."""

from collections.abc import Sequence
from fractions import Fraction

from reference.exact import Rational, SingularSystemError, solve_unique

__all__ = ["SingularSystemError", "recover_filter"]


def recover_filter(
    *,
    signal: Sequence[Rational],
    output: Sequence[Rational],
    length: int,
    flip: bool = False,
) -> tuple[Fraction, ...]:
    """The filter w with out_k = sum_j signal[k + j] * w[j] (valid, stride 1, no flip)."""
    if length < 1 or len(signal) < length:
        raise ValueError(f"a filter of length {length} does not fit a signal of {len(signal)}")
    if len(output) != len(signal) - length + 1:
        raise ValueError(
            f"a valid correlation of {len(signal)} samples with a length-{length} filter "
            f"has {len(signal) - length + 1} outputs, not {len(output)}"
        )
    # Row k of the system is the window of the signal that output k sees.
    windows = [[Fraction(signal[k + j]) for j in range(length)] for k in range(len(output))]
    weights = solve_unique(windows, output)
    # True convolution reverses the filter, so that is the answer a convolution-minded
    # student would give for the same data.
    return weights[::-1] if flip else weights
