"""Reading an uploaded state_dict without running anything it contains.

CheckpointRejected (422)      not a state_dict the service will read; says what to upload
 +-- CheckpointTooLarge (413) the file is over the size limit
"""

import io
import re
import warnings
from collections.abc import Mapping

import safetensors.torch
import torch

from app.checkpoints.envelope import (
    HOW_TO_SAVE,
    UNREADABLE,
    CheckpointRejected,
    is_safetensors,
    pickled_object_refusal,
    screen,
)
from app.untrusted import shown

MAX_TENSORS = 128
MAX_KEY_CHARS = 200
MAX_DIMS = 8
MAX_TENSOR_ELEMENTS = 2_000_000
MAX_TOTAL_ELEMENTS = 4_000_000
FLOAT_TYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
INT_TYPES = (torch.int32, torch.int64)

_GLOBAL = re.compile(r"Unsupported global: GLOBAL ([\w.]+)")


def read_state_dict(data: bytes, filename: str, *, max_bytes: int) -> dict[str, torch.Tensor]:
    """The tensors of an uploaded state_dict, checked; anything else raises CheckpointRejected."""
    screen(data, filename, max_bytes=max_bytes)
    loaded = _load_safetensors(data) if is_safetensors(data) else _load_pickle(data)
    return _checked(loaded)


def _load_safetensors(data: bytes) -> dict[str, torch.Tensor]:
    try:
        return safetensors.torch.load(data)
    except Exception as error:  # the parser reports every malformation as its own error type
        raise CheckpointRejected(
            f"This is not a valid safetensors file ({shown(str(error), limit=120)})."
        ) from error


def _load_pickle(data: bytes) -> object:
    """torch.load with weights_only=True, the only way the service reads a pickle."""
    try:
        with warnings.catch_warnings():
            # The restricted unpickler warns about protocols it was not written for; it refuses
            # what it cannot read, which is all that matters here.
            warnings.simplefilter("ignore")
            return torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    except Exception as error:  # never retried without weights_only
        raise CheckpointRejected(_pickle_refusal(str(error), data)) from error


def _pickle_refusal(reason: str, data: bytes) -> str:
    found = _GLOBAL.search(reason)
    if found is None:
        return UNREADABLE
    return pickled_object_refusal(found.group(1), data)


def _checked(loaded: object) -> dict[str, torch.Tensor]:
    """A flat mapping of names to finite, reasonably sized tensors, copied out of the file."""
    if not isinstance(loaded, Mapping):
        kind = type(loaded).__name__
        raise CheckpointRejected(f"The file holds a {kind}, not a state_dict. {HOW_TO_SAVE}")
    if not loaded:
        raise CheckpointRejected(f"The state_dict is empty. {HOW_TO_SAVE}")
    if len(loaded) > MAX_TENSORS:
        raise CheckpointRejected(
            f"The state_dict has {len(loaded)} entries; a LeNet-5 has at most {MAX_TENSORS}."
        )
    state = {_checked_key(key): _checked_tensor(key, value) for key, value in loaded.items()}
    total = sum(tensor.numel() for tensor in state.values())
    if total > MAX_TOTAL_ELEMENTS:
        raise CheckpointRejected(f"The state_dict holds {total:,} numbers: far beyond a LeNet-5.")
    return state


def _plain(value: torch.Tensor) -> bool:
    """A dense tensor in CPU memory of a number type: sparse, nested, quantized and meta are not."""
    return (
        value.layout == torch.strided
        and not value.is_nested
        and not value.is_quantized
        and value.device.type == "cpu"
        and value.dtype in (*FLOAT_TYPES, *INT_TYPES)
    )


def _checked_key(key: object) -> str:
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_CHARS:
        raise CheckpointRejected(
            f"State_dict keys are names of up to {MAX_KEY_CHARS} characters, "
            f"not {shown(repr(key))}."
        )
    return key


def _checked_tensor(key: str, value: object) -> torch.Tensor:
    name = shown(key, limit=80)
    if not isinstance(value, torch.Tensor):
        kind = type(value).__name__
        raise CheckpointRejected(
            f"{name} holds a {kind}, not a tensor: a state_dict maps names to tensors. "
            + HOW_TO_SAVE
        )
    if not _plain(value):
        raise CheckpointRejected(
            f"{name} is not a plain tensor ({value.dtype}, {value.layout}): "
            "weights are dense floats."
        )
    if value.dim() > MAX_DIMS or value.numel() > MAX_TENSOR_ELEMENTS:
        raise CheckpointRejected(f"{name} has shape {tuple(value.shape)}: far beyond a LeNet-5.")
    if value.dtype in FLOAT_TYPES:
        if not bool(torch.isfinite(value).all()):
            raise CheckpointRejected(f"{name} holds NaN or infinite values.")
        return value.to(torch.float32, copy=True).contiguous()
    return value.to(torch.int64, copy=True).contiguous()
