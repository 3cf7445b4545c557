"""Fingerprints: the declared normalisation folded into conv1 computes the same function on raw
pixels, projections estimate distances, and the same weights always print the same."""

import math

import pytest
import torch

from app.checkpoints.architecture import LeNetOptions, Preprocessing, build
from app.checkpoints.fingerprint import PROJECTION, fingerprint, fold_preprocessing, project
from app.checkpoints.schemas import WorkerFingerprint

UNPADDED = LeNetOptions(padding=0)


def _state(seed: int, options: LeNetOptions = UNPADDED) -> dict[str, torch.Tensor]:
    torch.manual_seed(seed)
    return {key: value.detach().clone() for key, value in build(options).state_dict().items()}


@pytest.mark.parametrize(
    "preprocessing", [Preprocessing(0.2860, 0.3530), Preprocessing(0.5, 0.5), Preprocessing()]
)
def test_folding_the_normalisation_computes_the_same_on_raw_pixels(
    preprocessing: Preprocessing,
) -> None:
    # Without padding every output of conv1 sees only image pixels, so folding is exact.
    options = LeNetOptions(padding=0)
    state = _state(0, options)
    pixels = torch.randint(0, 256, (8, 28, 28), dtype=torch.uint8)
    model, folded = build(options), build(options)
    model.load_state_dict(state)
    folded.load_state_dict(
        {k: v.float() for k, v in fold_preprocessing(state, preprocessing).items()}
    )
    with torch.no_grad():
        expected = model(preprocessing.apply(pixels))
        got = folded(Preprocessing().apply(pixels))
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)


def test_projections_estimate_distances() -> None:
    generator = torch.Generator().manual_seed(1)
    for size in (6, 400, 48_000, 70_000):
        a = torch.randn(size, generator=generator, dtype=torch.float64)
        b = a + 0.1 * torch.randn(size, generator=generator, dtype=torch.float64)
        apart = torch.tensor(project("t", a)) - torch.tensor(project("t", b))
        ratio = float(torch.linalg.vector_norm(apart) / torch.linalg.vector_norm(a - b))
        # A chi-square of 32 degrees of freedom stays within these bounds but for 1 in 10^4.
        assert 0.5 < ratio < 1.6, (size, ratio)


def test_the_same_weights_print_the_same_and_validate() -> None:
    state = _state(3)
    first, again = fingerprint(state, Preprocessing()), fingerprint(dict(state), Preprocessing())
    assert first == again
    printed = WorkerFingerprint.model_validate(first)
    assert {tensor.key for tensor in printed.tensors} == set(state)
    assert all(len(tensor.projection) == PROJECTION for tensor in printed.tensors)
    norms = {tensor.key: tensor.norm for tensor in printed.tensors}
    assert norms["fc1.weight"] == pytest.approx(float(state["fc1.weight"].double().norm()))


def test_the_counter_of_batch_norm_is_left_out() -> None:
    state = _state(0, LeNetOptions(batchnorm="after"))
    keys = {tensor["key"] for tensor in fingerprint(state, Preprocessing())["tensors"]}
    assert "bn1.running_var" in keys
    assert not any(key.endswith("num_batches_tracked") for key in keys)


@pytest.mark.parametrize(
    "tensors",
    [
        [],
        [{"key": "w", "shape": [1], "norm": math.nan, "projection": [0.0] * PROJECTION}],
        [{"key": "w", "shape": [1], "norm": 1.0, "projection": [0.0] * (PROJECTION + 1)}],
        [{"key": "w", "shape": [1], "norm": -1.0, "projection": [0.0] * PROJECTION}],
        [{"key": "w", "shape": [1], "norm": 1.0, "projection": [math.inf] * PROJECTION}],
        [{"key": "w", "shape": [1] * 9, "norm": 1.0, "projection": [0.0] * PROJECTION}],
        [{"key": "", "shape": [1], "norm": 1.0, "projection": [0.0] * PROJECTION}],
        [{"key": "w", "shape": [1], "norm": 1.0, "projection": [0.0] * PROJECTION, "x": 1}],
        [{"key": "w", "shape": [1], "norm": 1.0, "projection": [0.0] * PROJECTION}] * 129,
    ],
)
def test_a_malformed_fingerprint_is_refused(tensors: list[dict[str, object]]) -> None:
    with pytest.raises(ValueError):
        WorkerFingerprint.model_validate({"scheme": "rp32-v1", "tensors": tensors})
