"""A model's compact fingerprint, computed in the sandboxed worker from the fitted state_dict:
per tensor, its norm and a fixed random projection of its values.

The projection is linear and keeps distances (Johnson-Lindenstrauss): the distance between two
models' projections estimates the distance between their weights. The declared input
normalisation is folded into conv1 first, so a model reads as the function of raw pixels it
computes, whatever mean and std its owner declared.
"""

import hashlib
import math
from typing import Any

import torch

from app.checkpoints.architecture import Preprocessing
from app.checkpoints.schemas import FINGERPRINT_PROJECTION as PROJECTION
from app.checkpoints.schemas import FINGERPRINT_SCHEME as SCHEME

SEED = 20261204
CHUNK = 65_536
"""Columns of the projection drawn at once: memory stays bounded whatever the tensor's size."""
FIRST_LAYER = "conv1"


def fingerprint(state: dict[str, torch.Tensor], preprocessing: Preprocessing) -> dict[str, Any]:
    """The fingerprint of a fitted state_dict (canonical keys): JSON for the job's outcome."""
    folded = fold_preprocessing(state, preprocessing)
    tensors = [
        {
            "key": key,
            "shape": list(value.shape),
            "norm": float(torch.linalg.vector_norm(value.double())),
            "projection": project(key, value),
        }
        for key, value in sorted(folded.items())
        if value.is_floating_point()
    ]
    return {"scheme": SCHEME, "tensors": tensors}


def fold_preprocessing(
    state: dict[str, torch.Tensor], preprocessing: Preprocessing
) -> dict[str, torch.Tensor]:
    """The weights that compute the same on pixels in [0, 1] as `state` does on
    (x - mean) / std: conv1's weight over std, its bias less mean / std times each kernel's sum."""
    weight, bias = state.get(f"{FIRST_LAYER}.weight"), state.get(f"{FIRST_LAYER}.bias")
    if weight is None or bias is None:
        return state
    scale = 1.0 / preprocessing.std
    folded = dict(state)
    folded[f"{FIRST_LAYER}.weight"] = weight.double() * scale
    kernel_sums = weight.double().sum(dim=tuple(range(1, weight.dim())))
    folded[f"{FIRST_LAYER}.bias"] = bias.double() - preprocessing.mean * scale * kernel_sums
    return folded


def project(key: str, value: torch.Tensor) -> list[float]:
    """`PROJECTION` Gaussian projections of the flattened tensor, scaled to keep its norm;
    the matrix depends only on the key and the shape, so every model of a layout shares it."""
    generator = torch.Generator().manual_seed(_seed(key, tuple(value.shape)))
    flat = value.detach().double().reshape(-1)
    total = torch.zeros(PROJECTION, dtype=torch.float64)
    for start in range(0, flat.numel(), CHUNK):
        part = flat[start : start + CHUNK]
        matrix = torch.randn(PROJECTION, part.numel(), generator=generator, dtype=torch.float64)
        total += matrix @ part
    return (total / math.sqrt(PROJECTION)).tolist()


def _seed(key: str, shape: tuple[int, ...]) -> int:
    digest = hashlib.sha256(f"{SCHEME}:{SEED}:{key}:{shape}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1
