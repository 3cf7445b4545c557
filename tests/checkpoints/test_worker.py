"""What the sandboxed worker computes from a job's spec, run here directly: honest checkpoints
measured as a plain loop measures them, refusals and mismatches as error outcomes."""

import io
from pathlib import Path
from typing import Any

import pytest
import torch

from app.checkpoints.architecture import LeNetOptions, build
from app.checkpoints.worker import evaluate_upload, prepare
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.schema import CheckpointSpec
from tests.checkpoints.trained import Trained

FIELD_POINTS = 12.5


def spec_for(
    path: Path, dataset: Path, *, field: str = "q4.baseline", **changes: Any
) -> dict[str, Any]:
    """A job spec as the upload route writes it."""
    rules = next(
        f.answer
        for q in ProblemCatalog().definition("dl-ex1").questions
        for f in q.fields
        if f.id == field
    )
    assert isinstance(rules, CheckpointSpec)
    spec: dict[str, Any] = {
        "path": str(path),
        "upload": {"filename": path.name, "bytes": 0, "sha256": ""},
        "suffix": path.suffix,
        "max_bytes": 20_000_000,
        "field": field,
        "declared": {},
        "preprocessing": {"mean": 0.0, "std": 1.0},
        "claims": {"test_accuracy": None, "train_accuracy": None},
        "evaluate_train": False,
        "rules": rules.model_dump(),
        "max_score": FIELD_POINTS,
        "dataset_dir": str(dataset),
        "device": "cpu",
        "late": False,
        "score_factor": 1.0,
    }
    return {**spec, **changes}


def saved(tmp_path: Path, name: str, state: object) -> Path:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


def test_the_worker_prepares_the_test_split(fashion_mnist_dir: Path) -> None:
    prepare(str(fashion_mnist_dir))


def test_an_honest_checkpoint_measures_as_the_plain_loop(
    fashion_mnist_dir: Path, trained: dict[str, Trained]
) -> None:
    model = trained["pad0_avg"]
    spec = spec_for(
        model.safetensors_path,
        fashion_mnist_dir,
        declared={"pool": "avg"},
        claims={"test_accuracy": model.test_accuracy, "train_accuracy": None},
    )
    outcome = evaluate_upload(spec)
    assert "error" not in outcome, outcome
    assert outcome["test"]["accuracy"] == model.test_accuracy
    assert outcome["options"]["padding"] == 0 and outcome["options"]["pool"] == "avg"
    assert any("padding 0 inferred" in note for note in outcome["notes"])
    assert outcome["train"] is None
    assert outcome["device"] == "cpu"
    grade = outcome["grade"]
    assert grade["max_score"] == FIELD_POINTS and not grade["flagged"]
    assert grade["feedback"].startswith("Measured test accuracy")


def test_a_claimed_train_accuracy_is_measured(
    fashion_mnist_dir: Path, trained: dict[str, Trained]
) -> None:
    model = trained["bn_after"]
    spec = spec_for(
        model.pt_path,
        fashion_mnist_dir,
        field="q4.batchnorm",
        preprocessing={"mean": 0.286, "std": 0.353},
        claims={"test_accuracy": None, "train_accuracy": 0.99},
    )
    outcome = evaluate_upload(spec)
    assert outcome["train"]["count"] == 60_000
    assert outcome["options"]["batchnorm"] == "after"
    assert outcome["grade"]["flagged"]


@pytest.mark.parametrize(
    ("content", "max_bytes", "message"),
    [
        (b"not a model at all", 20_000_000, "state_dict"),
        (b"\x00" * 2_000, 1_000, "larger than 1000 bytes"),
    ],
)
def test_unreadable_uploads_come_back_as_errors(
    tmp_path: Path, fashion_mnist_dir: Path, content: bytes, max_bytes: int, message: str
) -> None:
    path = tmp_path / "model.pt"
    path.write_bytes(content)
    outcome = evaluate_upload(spec_for(path, fashion_mnist_dir, max_bytes=max_bytes))
    assert outcome["error"]["error"] == "CheckpointRejected"
    assert message in outcome["error"]["detail"]


def test_a_missing_upload_comes_back_as_an_error(tmp_path: Path, fashion_mnist_dir: Path) -> None:
    outcome = evaluate_upload(spec_for(tmp_path / "gone.pt", fashion_mnist_dir))
    assert outcome["error"]["error"] == "CheckpointRejected"
    assert "no longer on the server" in outcome["error"]["detail"]


def test_a_mismatch_names_every_key(tmp_path: Path, fashion_mnist_dir: Path) -> None:
    state = build(LeNetOptions(padding=0)).state_dict()
    path = saved(tmp_path, "model.pt", state)
    outcome = evaluate_upload(spec_for(path, fashion_mnist_dir, declared={"padding": 2}))
    error = outcome["error"]
    assert error["error"] == "ArchitectureMismatch"
    assert {(p["key"], p["problem"]) for p in error["problems"]} == {("fc1.weight", "wrong shape")}
    assert "fc1.weight" in error["detail"]
