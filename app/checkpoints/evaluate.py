"""Measuring a model on labeled images: accuracy with a Wilson interval, per class, confusion."""

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from app.checkpoints.architecture import NUM_CLASSES, Preprocessing

Z_95 = 1.959963984540054
DEVICE_SETTINGS = ("auto", "cpu", "cuda")
# CPU and GPU kernels sum in different orders; with TF32 off, logits agree to ~1e-5, so only
# images whose two best logits are that close can change class. Accuracies agree within this.
CPU_GPU_TOLERANCE = 0.001


class DeviceUnavailable(RuntimeError):
    """DLGRADE_DEVICE asks for a device this machine does not have."""


@dataclass(frozen=True, slots=True)
class Evaluation:
    """How a model did on `count` images; per_class[c] is None when class c has no image."""

    accuracy: float
    ci_low: float
    ci_high: float
    per_class: tuple[float | None, ...]
    confusion: tuple[tuple[int, ...], ...]
    count: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready values; confusion[true][predicted]."""
        return {
            "accuracy": self.accuracy,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "per_class": list(self.per_class),
            "confusion": [list(row) for row in self.confusion],
            "count": self.count,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Evaluation":
        """The inverse of `to_json`."""
        return cls(
            accuracy=float(data["accuracy"]),
            ci_low=float(data["ci_low"]),
            ci_high=float(data["ci_high"]),
            per_class=tuple(None if v is None else float(v) for v in data["per_class"]),
            confusion=tuple(tuple(int(n) for n in row) for row in data["confusion"]),
            count=int(data["count"]),
        )


def wilson_interval(correct: int, count: int, *, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95% by default)."""
    if count <= 0:
        return 0.0, 1.0
    p = correct / count
    scale = 1 + z * z / count
    center = (p + z * z / (2 * count)) / scale
    half = z * math.sqrt(p * (1 - p) / count + z * z / (4 * count * count)) / scale
    return max(0.0, center - half), min(1.0, center + half)


def summarize(predictions: torch.Tensor, labels: torch.Tensor) -> Evaluation:
    """The evaluation of predicted against true classes."""
    count = int(labels.numel())
    pairs = labels.to(torch.int64).cpu() * NUM_CLASSES + predictions.to(torch.int64).cpu()
    confusion = torch.bincount(pairs, minlength=NUM_CLASSES * NUM_CLASSES)
    matrix = confusion.reshape(NUM_CLASSES, NUM_CLASSES).tolist()
    correct = sum(matrix[c][c] for c in range(NUM_CLASSES))
    low, high = wilson_interval(correct, count)
    return Evaluation(
        accuracy=correct / count if count else 0.0,
        ci_low=low,
        ci_high=high,
        per_class=tuple(_recall(row, c) for c, row in enumerate(matrix)),
        confusion=tuple(tuple(row) for row in matrix),
        count=count,
    )


def _recall(row: Sequence[int], label: int) -> float | None:
    total = sum(row)
    return row[label] / total if total else None


def pick_device(setting: str) -> torch.device:
    """The device DLGRADE_DEVICE names: auto takes CUDA when there is one."""
    if setting not in DEVICE_SETTINGS:
        raise ValueError(f"the device setting is one of {', '.join(DEVICE_SETTINGS)}")
    if setting == "cpu" or (setting == "auto" and not torch.cuda.is_available()):
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise DeviceUnavailable("DLGRADE_DEVICE=cuda, but this machine has no CUDA device")
    return torch.device("cuda")


def predict(
    model: nn.Module,
    images: torch.Tensor,
    preprocessing: Preprocessing,
    *,
    device: torch.device,
    batch_size: int = 1000,
) -> torch.Tensor:
    """The predicted class of every image (on the CPU); the model is moved to the device."""
    model.eval().to(device)
    outputs = []
    with torch.inference_mode(), exact_float32():
        for start in range(0, images.shape[0], batch_size):
            batch = images[start : start + batch_size].to(device, non_blocking=True)
            outputs.append(model(preprocessing.apply(batch)).argmax(dim=1).cpu())
    if not outputs:
        return torch.empty(0, dtype=torch.int64)
    return torch.cat(outputs)


def evaluate_model(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    preprocessing: Preprocessing,
    *,
    device: torch.device,
    batch_size: int = 1000,
) -> Evaluation:
    """Accuracy, its interval, per-class accuracy and the confusion matrix of a model."""
    predictions = predict(model, images, preprocessing, device=device, batch_size=batch_size)
    return summarize(predictions, labels)


@contextmanager
def exact_float32() -> Iterator[None]:
    """Full float32 in convolutions and matmuls: TF32 would move GPU results away from CPU's."""
    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved
