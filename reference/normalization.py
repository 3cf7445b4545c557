"""Which axes of an (N, H, W, C) activation each normalisation layer averages over."""

from collections.abc import Mapping, Sequence
from typing import Literal

Kind = Literal["batch", "layer", "instance"]
AXES = frozenset("NHWC")

_REDUCTIONS: Mapping[str, frozenset[str]] = {
    "batch": frozenset("NHW"),  # statistics per channel, shared by the whole batch
    "layer": frozenset("CHW"),  # statistics per sample, shared by all its channels
    "instance": frozenset("HW"),  # statistics per sample and channel
}


def reduction_axes(kind: Kind) -> frozenset[str]:
    """The axes among N, H, W, C that the given normalisation computes its mean over."""
    return _reduction(kind)


def _reduction(kind: str) -> frozenset[str]:
    if kind not in _REDUCTIONS:
        raise ValueError(f"unknown normalisation {kind!r}; expected one of {sorted(_REDUCTIONS)}")
    return _REDUCTIONS[kind]


def identify(*, groupings: Mapping[str, Sequence[str]], kind: str) -> str:
    """The label (e.g. "A") whose grouping is exactly the reduction of the given kind."""
    target = _reduction(kind)
    matches = [label for label, axes in groupings.items() if _axes(label, axes) == target]
    if len(matches) != 1:
        found = "no grouping" if not matches else f"groupings {sorted(matches)}"
        raise ValueError(f"{found} reduce over exactly {sorted(target)} for {kind} norm")
    return matches[0]


def _axes(label: str, axes: Sequence[str]) -> frozenset[str]:
    names = frozenset(axis.strip().upper() for axis in axes)
    if not names <= AXES or len(names) != len(axes):
        raise ValueError(f"grouping {label!r} must name distinct axes among N, H, W, C")
    return names
