"""Screening uploads without torch and without unpickling: what passes, what is refused."""

import io
import pickle
from typing import Any

import pytest
import safetensors.torch
import torch

from app.checkpoints.architecture import LeNetOptions, build
from app.checkpoints.envelope import CheckpointRejected, CheckpointTooLarge, screen

LIMIT = 20_000_000


class RunsCode:
    """Unpickling this would call os.system."""

    def __reduce__(self) -> tuple[Any, ...]:
        import os

        return (os.system, ("true",))


def saved(obj: object, **options: Any) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer, **options)
    return buffer.getvalue()


STATE = build(LeNetOptions()).state_dict()


@pytest.mark.parametrize(
    "data",
    [
        saved(STATE),
        saved(STATE, pickle_protocol=4),
        saved(STATE, pickle_protocol=5),
        saved(STATE, _use_new_zipfile_serialization=False),
        safetensors.torch.save(dict(STATE)),
    ],
    ids=["zip", "protocol-4", "protocol-5", "legacy", "safetensors"],
)
def test_honest_state_dicts_pass(data: bytes) -> None:
    screen(data, "model.pt", max_bytes=LIMIT)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (pickle.dumps(RunsCode()), "model.pt", "can run code"),
        (pickle.dumps(RunsCode(), protocol=0), "model.pt", "not a safetensors or PyTorch file"),
        (pickle.dumps(RunsCode(), protocol=2), "model.pth", "can run code"),
        (saved({"w": RunsCode()}), "model.pt", "can run code"),
        (saved({"w": RunsCode()}, _use_new_zipfile_serialization=False), "m.pt", "can run code"),
        (b"\x80\x05garbage", "model.pt", "cannot be read as plain tensors"),
        (b"PK\x03\x04garbage", "model.pt", "damaged archive"),
        (b"hello", "model.pt", "not a safetensors or PyTorch file"),
        (b"", "model.pt", "empty"),
        (saved(STATE), "model.pt2", "torch.export"),
        (saved(STATE), "model.bin", "not a .safetensors"),
    ],
)
def test_refusals_say_why(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(CheckpointRejected) as info:
        screen(data, filename, max_bytes=LIMIT)
    assert message in info.value.detail
    assert info.value.status == 422


def test_the_size_limit_is_413() -> None:
    with pytest.raises(CheckpointTooLarge) as info:
        screen(b"\x80" * 101, "model.pt", max_bytes=100)
    assert info.value.status == 413
