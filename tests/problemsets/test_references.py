"""Reference calls resolve only to public functions of the reference package."""

from fractions import Fraction

import pytest

from app.problemsets.references import (
    ReferenceCallError,
    check_binding,
    resolve,
    run_call,
    substitute,
)
from app.problemsets.schema import Reference
from reference import conv


def test_resolves_a_reference_function() -> None:
    assert resolve("conv.conv2d_params") is conv.conv2d_params


@pytest.mark.parametrize(
    "call",
    ["os.system", "conv.nothing", "conv._private", "conv.np", "builtins.eval", "conv.__class__"],
)
def test_refuses_anything_else(call: str) -> None:
    with pytest.raises(ReferenceCallError):
        resolve(call)


def test_substitutes_parameters_indices_and_fractions() -> None:
    parameters = {"maps": [100, 200], "keep": "1/2", "n": 3}
    value = {"a": "$maps[1]", "b": ["$n", "x"], "c": "$keep", "d": "-3/4"}
    assert substitute(value, parameters) == {
        "a": 200,
        "b": [3, "x"],
        "c": Fraction(1, 2),
        "d": Fraction(-3, 4),
    }


def test_unknown_parameter_is_an_error() -> None:
    with pytest.raises(ReferenceCallError, match=r"\$missing"):
        substitute("$missing", {})


def test_binding_is_checked_before_running() -> None:
    bad = Reference(call="conv.conv2d_params", args={"in_channel": 1})
    with pytest.raises(ReferenceCallError, match="conv.conv2d_params"):
        check_binding(bad, {})


def test_run_call_picks_a_part() -> None:
    spec = Reference(
        call="conv.stack_params",
        args={"in_channels": 3, "feature_maps": [4, 5], "kernel": 3},
        pick=1,
    )
    assert run_call(spec, {}) == conv.conv2d_params(in_channels=4, out_channels=5, kernel=3)
