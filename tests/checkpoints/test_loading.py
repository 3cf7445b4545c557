"""Reading uploads: honest state_dicts in, everything that could run code or is not weights out."""

import io
import os
import pickle
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import safetensors.torch
import torch
from torch import nn

from app.checkpoints.architecture import LeNetOptions, build
from app.checkpoints.envelope import CheckpointRejected, CheckpointTooLarge
from app.checkpoints.loading import read_state_dict
from tests.checkpoints.trained import Trained

LIMIT = 20_000_000


def read(
    data: bytes, filename: str = "model.pt", *, max_bytes: int = LIMIT
) -> dict[str, torch.Tensor]:
    return read_state_dict(data, filename, max_bytes=max_bytes)


def saved(value: object, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(value, buffer, **kwargs)  # type: ignore[arg-type]
    return buffer.getvalue()


def refused(
    data: bytes, filename: str = "model.pt", *, max_bytes: int = LIMIT
) -> CheckpointRejected:
    with pytest.raises(CheckpointRejected) as raised:
        read(data, filename, max_bytes=max_bytes)
    message = raised.value.detail
    # The service's own words: never torch's advice to retry without weights_only.
    assert "weights_only" not in message and "Traceback" not in message
    return raised.value


# ---------------------------------------------------------------- honest files


@pytest.mark.parametrize("form", ["safetensors", "pt"])
def test_honest_checkpoints_are_read_exactly(trained: dict[str, Trained], form: str) -> None:
    for checkpoint in trained.values():
        if form == "safetensors":
            state = read(checkpoint.safetensors_bytes, checkpoint.safetensors_path.name)
        else:
            state = read(checkpoint.pt_bytes, checkpoint.pt_path.name)
        assert list(state) == list(checkpoint.state) or set(state) == set(checkpoint.state)
        assert all(torch.equal(state[key], value) for key, value in checkpoint.state.items())


def test_other_honest_forms_are_read() -> None:
    state = build(LeNetOptions(batchnorm="after")).state_dict()
    forms = [
        (saved(state, _use_new_zipfile_serialization=False), "model.pth"),
        (saved({k: v.half() for k, v in state.items() if v.is_floating_point()}), "MODEL.PT"),
        (
            safetensors.torch.save(
                {k: v.double() for k, v in state.items() if v.is_floating_point()}
            ),
            "m.safetensors",
        ),
    ]
    for data, name in forms:
        loaded = read(data, name)
        assert all(value.dtype in (torch.float32, torch.int64) for value in loaded.values())
        assert set(loaded) <= set(state)


# ---------------------------------------------------------------- what could run code


class CreatesFile:
    """Unpickling this opens (creates) a file: what a malicious upload would do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return open, (str(self.path), "w")


class RunsCommand:
    """Unpickling this runs a shell command."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, (f"touch {self.path}",)


MALICIOUS: list[tuple[str, Callable[[object], bytes]]] = [
    ("raw pickle, protocol 2", lambda payload: pickle.dumps(payload, protocol=2)),
    ("raw pickle, protocol 5", lambda payload: pickle.dumps(payload, protocol=5)),
    ("torch.save archive", lambda payload: saved({"conv1.weight": payload})),
    ("torch.save legacy", lambda payload: saved(payload, _use_new_zipfile_serialization=False)),
]


@pytest.mark.parametrize("kind", [CreatesFile, RunsCommand], ids=lambda k: k.__name__)
@pytest.mark.parametrize(("form", "dump"), MALICIOUS, ids=[m[0] for m in MALICIOUS])
def test_a_malicious_pickle_is_refused_and_runs_nothing(
    tmp_path: Path, kind: type, form: str, dump: Callable[[object], bytes]
) -> None:
    target = tmp_path / "pwned"
    data = dump(kind(target))
    for name in ("model.pt", "model.pth", "model.safetensors"):
        error = refused(data, name)
        assert error.status == 422
        assert "can run code" in error.detail or "cannot be read as plain tensors" in error.detail
        assert "state_dict" in error.detail
    assert not target.exists()


def scripted_module() -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TorchScript is deprecated
        torch.jit.save(torch.jit.script(nn.Linear(2, 2)), buffer)
    return buffer.getvalue()


def exported_program() -> bytes:
    buffer = io.BytesIO()
    program = torch.export.export(nn.Linear(2, 2), (torch.zeros(1, 2),))
    torch.export.save(program, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["model.pt", "model.pth", "model.safetensors"])
def test_a_torchscript_file_is_refused(name: str) -> None:
    error = refused(scripted_module(), name)
    assert "TorchScript" in error.detail and "state_dict" in error.detail


@pytest.mark.parametrize("name", ["model.pt2", "model.pt", "model.safetensors"])
def test_a_torch_export_archive_is_refused(name: str) -> None:
    error = refused(exported_program(), name)
    assert "torch.export" in error.detail and "state_dict" in error.detail


def test_a_whole_pickled_module_is_refused_with_advice() -> None:
    error = refused(saved(build(LeNetOptions())))
    assert "whole pickled model" in error.detail
    assert "model.state_dict()" in error.detail
    assert "safetensors.torch.save_file" in error.detail


# ---------------------------------------------------------------- size, bytes, values


def test_an_oversize_upload_is_refused_before_reading() -> None:
    data = safetensors.torch.save({"w": torch.zeros(1000)})
    error = refused(data, "model.safetensors", max_bytes=len(data) - 1)
    assert isinstance(error, CheckpointTooLarge) and error.status == 413
    assert f"{len(data) - 1:,}" in error.detail
    assert read(data, "model.safetensors", max_bytes=len(data))


def deflated_archive() -> bytes:
    """A zip whose data.pkl inflates to a hundred times its stored size."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", b"\0" * 1_000_000)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"", "model.pt", "empty"),
        (b"hello world", "model.pt", "not a safetensors or PyTorch file"),
        (bytes(range(256)) * 10, "model.safetensors", "not a safetensors or PyTorch file"),
        (b"PK\x03\x04" + b"\0" * 100, "model.pt", "damaged archive"),
        (deflated_archive(), "model.pt", "inflates"),
        (b"\x80\x02garbage", "model.pt", "cannot be read as plain tensors"),
        (b"\x0a\0\0\0\0\0\0\0{not json}     ", "model.safetensors", "not a valid safetensors"),
        (
            b"\x0f\0\0\0\0\0\0\0"
            + b'{"w": {"dtype": "F32", "shape": [99999], "data_offsets": [0, 4]}}'[:15],
            "m.safetensors",
            "not a valid safetensors",
        ),
        (
            b"\x41\0\0\0\0\0\0\0"
            + b'{"w": {"dtype": "F32", "shape": [99999], "data_offsets": [0, 4]}}'
            + b"\0" * 4,
            "m.safetensors",
            "not a valid safetensors",
        ),
        (
            safetensors.torch.save({"w": torch.zeros(1)}),
            "model.onnx",
            "not a .safetensors, .pt or .pth file",
        ),
        (
            safetensors.torch.save({"w": torch.zeros(1)}),
            "model.pkl",
            "not a .safetensors, .pt or .pth file",
        ),
        (safetensors.torch.save({"w": torch.zeros(1)}), "../../etc/passwd", "not a .safetensors"),
        (safetensors.torch.save({"w": torch.zeros(1)}), "\u202emodel.h5", "not a .safetensors"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_garbage_is_refused_clearly(data: bytes, name: str, says: str) -> None:
    assert says in refused(data, name).detail


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ([torch.zeros(2)], "holds a list, not a state_dict"),
        (torch.zeros(2), "holds a Tensor, not a state_dict"),
        ({}, "state_dict is empty"),
        ({"conv1.weight": 1}, "conv1.weight holds a int, not a tensor"),
        ({"conv1": {"weight": torch.zeros(2)}}, "conv1 holds a dict, not a tensor"),
        ({"conv1.weight": "__import__('os')"}, "holds a str, not a tensor"),
        ({1: torch.zeros(2)}, "keys are names"),
        ({"k" * 300: torch.zeros(2)}, "keys are names"),
        ({f"t{i}": torch.zeros(1) for i in range(200)}, "200 entries"),
        ({"conv1.weight": torch.full((2,), float("nan"))}, "conv1.weight holds NaN or infinite"),
        ({"fc1.bias": torch.tensor([0.0, float("inf")])}, "fc1.bias holds NaN or infinite"),
        ({"w": torch.zeros(3_000_000)}, "far beyond a LeNet-5"),
        ({"w": torch.zeros(1).expand(3_000_000)}, "far beyond a LeNet-5"),
        ({"w": torch.zeros(1).reshape((1,) * 9)}, "far beyond a LeNet-5"),
        ({f"w{i}": torch.zeros(1_500_000) for i in range(3)}, "far beyond a LeNet-5"),
        ({"w": torch.zeros(2, dtype=torch.complex64)}, "weights are dense floats"),
        ({"w": torch.zeros(2, dtype=torch.bool)}, "weights are dense floats"),
        ({"w": torch.zeros(2, 2).to_sparse()}, "weights are dense floats"),
        ({"w": torch.empty(2, device="meta")}, "weights are dense floats"),
        ({"w": torch.zeros(2, dtype=torch.uint8)}, "weights are dense floats"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_what_is_not_a_state_dict_of_finite_tensors_is_refused(value: object, says: str) -> None:
    assert says in refused(saved(value)).detail


def test_nan_weights_in_safetensors_are_refused() -> None:
    state = build(LeNetOptions()).state_dict()
    state["fc2.weight"][3, 4] = float("nan")
    error = refused(safetensors.torch.save(state), "model.safetensors")
    assert "fc2.weight holds NaN" in error.detail


def test_loaded_tensors_do_not_share_memory_with_the_file() -> None:
    base = torch.arange(4.0)
    state = read(saved({"a": base[:2], "b": base[2:]}))
    assert state["a"].tolist() == [0.0, 1.0] and state["b"].tolist() == [2.0, 3.0]
    assert state["a"].untyped_storage().nbytes() == 8
