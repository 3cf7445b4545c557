"""Reading an uploaded state_dict without running anything it contains.

CheckpointRejected (422)      not a state_dict the service will read; says what to upload
 +-- CheckpointTooLarge (413) the file is over the size limit
"""

import io
import re
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import PurePath

import safetensors.torch
import torch

from app.errors import InvalidSubmission
from app.untrusted import shown

EXTENSIONS = (".safetensors", ".pt", ".pth")
MAX_TENSORS = 128
MAX_KEY_CHARS = 200
MAX_DIMS = 8
MAX_TENSOR_ELEMENTS = 2_000_000
MAX_TOTAL_ELEMENTS = 4_000_000
# A torch.save archive stores its records uncompressed; anything far larger inflated is a bomb.
MAX_INFLATION = 2
FLOAT_TYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
INT_TYPES = (torch.int32, torch.int64)

HOW_TO_SAVE = (
    "Upload the model's state_dict: safetensors.torch.save_file(model.state_dict(), "
    "'model.safetensors') (preferred), or torch.save(model.state_dict(), 'model.pt')."
)
_GLOBAL = re.compile(r"Unsupported global: GLOBAL ([\w.]+)")


class CheckpointRejected(InvalidSubmission):
    """The upload is not a state_dict of plain tensors that the service will read."""


class CheckpointTooLarge(CheckpointRejected):
    """The upload is larger than the configured limit."""

    status = 413


def read_state_dict(data: bytes, filename: str, *, max_bytes: int) -> dict[str, torch.Tensor]:
    """The tensors of an uploaded state_dict, checked; anything else raises CheckpointRejected."""
    _check_envelope(data, filename, max_bytes=max_bytes)
    loaded: object
    if _is_safetensors(data):
        loaded = _load_safetensors(data)
    elif data.startswith(b"PK\x03\x04"):
        _check_archive(data)
        loaded = _load_pickle(data)
    elif data.startswith(b"\x80"):
        loaded = _load_pickle(data)  # torch.save's legacy (pre-1.6) format
    else:
        raise CheckpointRejected(f"This is not a safetensors or PyTorch file. {HOW_TO_SAVE}")
    return _checked(loaded)


def _check_envelope(data: bytes, filename: str, *, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise CheckpointTooLarge(
            f"The file has {len(data):,} bytes; the limit is {max_bytes:,}. "
            "A LeNet-5 state_dict takes well under 1 MB: upload only the weights."
        )
    if not data:
        raise CheckpointRejected(f"The file is empty. {HOW_TO_SAVE}")
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".pt2":
        raise CheckpointRejected(_refusal("a torch.export archive (.pt2)"))
    if suffix not in EXTENSIONS:
        raise CheckpointRejected(
            f"{shown(filename)} is not a .safetensors, .pt or .pth file. {HOW_TO_SAVE}"
        )


def _refusal(what: str) -> str:
    return f"This is {what}; loading one can run code, so it is refused. {HOW_TO_SAVE}"


def _is_safetensors(data: bytes) -> bool:
    """An 8-byte little-endian header length, then a JSON header."""
    header = int.from_bytes(data[:8], "little")
    return len(data) > 9 and 2 <= header <= len(data) - 8 and data[8:9] == b"{"


def _load_safetensors(data: bytes) -> dict[str, torch.Tensor]:
    try:
        return safetensors.torch.load(data)
    except Exception as error:  # the parser reports every malformation as its own error type
        raise CheckpointRejected(
            f"This is not a valid safetensors file ({shown(str(error), limit=120)})."
        ) from error


def _check_archive(data: bytes) -> None:
    """Refuse TorchScript and torch.export archives, and archives that inflate."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise CheckpointRejected(f"This is a damaged archive. {HOW_TO_SAVE}") from error
    names = [entry.filename for entry in entries]
    if any(
        name.endswith(("/archive_format", "/serialized_exported_program.json")) for name in names
    ):
        raise CheckpointRejected(_refusal("a torch.export archive (.pt2)"))
    if any("/code/" in name or name.endswith("/constants.pkl") for name in names):
        raise CheckpointRejected(_refusal("a TorchScript model (torch.jit.save)"))
    if sum(entry.file_size for entry in entries) > MAX_INFLATION * len(data) + 4096:
        raise CheckpointRejected(f"This archive inflates far beyond its size. {HOW_TO_SAVE}")


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
        return f"This PyTorch file cannot be read as plain tensors. {HOW_TO_SAVE}"
    name = shown(found.group(1), limit=80)
    # A pickled nn.Module carries its attribute names as plain strings; a state_dict does not.
    if b"_parameters" in data and b"_modules" in data:
        return (
            f"This file holds a whole pickled model ({name}), not a state_dict; loading it "
            f"can run code, so it is refused. Upload model.state_dict() instead. {HOW_TO_SAVE}"
        )
    return (
        f"This file holds a pickled object ({name}) besides tensors; loading it can run code, "
        f"so it is refused. {HOW_TO_SAVE}"
    )


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
