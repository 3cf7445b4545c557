"""A model file evaluated offline: refusals before the sandbox, the sandbox's failures and the
worker's own refusals each become an `invalid` result that says why; nothing raises."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import safetensors.torch
import torch

from app.checkpoints.offline import LocalEvaluator
from app.checkpoints.schemas import CheckpointCreate
from app.config import Settings
from app.problemsets.catalog import ProblemCatalog
from app.sandbox import SandboxCrashed, SandboxTimeout, WorkerError


class RaisingPool:
    """A pool whose every call fails as the sandbox would."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def call(self, fn: Callable[..., Any], /, *args: object, timeout: float) -> Any:
        raise self.error


class HerePool:
    """A pool that runs the function in this process (for outcomes that need no dataset)."""

    def call(self, fn: Callable[..., Any], /, *args: object, timeout: float) -> Any:
        return fn(*args)


def evaluator(pool: object, tmp_path: Path) -> LocalEvaluator:
    settings = Settings(dataset_dir=tmp_path / "no-dataset", evaluation_timeout_s=7)
    assert isinstance(pool, RaisingPool | HerePool)
    return LocalEvaluator(settings, ProblemCatalog(), pool, "dl-ex1")  # type: ignore[arg-type]


def tensors(state: dict[str, torch.Tensor]) -> bytes:
    return safetensors.torch.save(state)


FORM = CheckpointCreate(field="q4.baseline")


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (SandboxTimeout("no answer"), "took longer than 7 s"),
        (WorkerError("DatasetMissing", "Fashion-MNIST is not in x"), "Fashion-MNIST is not in x"),
        (SandboxCrashed("killed"), "the worker stopped"),
    ],
)
def test_a_failed_sandbox_call_is_an_invalid_result(
    tmp_path: Path, error: Exception, message: str
) -> None:
    data = tensors({"conv1.weight": torch.zeros(6, 1, 5, 5)})
    result = evaluator(RaisingPool(error), tmp_path).grade(FORM, data, "m.safetensors")
    assert (result.verdict, result.score, result.max_score) == ("invalid", 0, 12.5)
    assert message in result.feedback


def test_the_workers_refusal_is_an_invalid_result_with_its_detail(tmp_path: Path) -> None:
    data = tensors({"conv1.weight": torch.zeros(6, 1, 5, 5)})
    result = evaluator(HerePool(), tmp_path).grade(FORM, data, "m.safetensors")
    assert result.verdict == "invalid" and "missing" in result.feedback


@pytest.mark.parametrize(
    ("field", "filename", "message"),
    [
        ("q1.a", "m.safetensors", "not a model-upload field"),
        ("q4.baseline", "m.pt2", "torch.export"),
        ("q4.baseline", "m.onnx", "ONNX"),
    ],
)
def test_what_is_refused_before_reading_never_reaches_the_sandbox(
    tmp_path: Path, field: str, filename: str, message: str
) -> None:
    pool = RaisingPool(AssertionError("the sandbox was called"))
    result = evaluator(pool, tmp_path).grade(CheckpointCreate(field=field), b"\x00" * 100, filename)
    assert result.verdict == "invalid" and message in result.feedback
