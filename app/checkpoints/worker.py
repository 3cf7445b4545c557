"""What a sandboxed evaluation worker runs: a job's spec (JSON) in, its outcome (JSON) out.

The API process imports this module only to name its functions for the worker pool; torch and
the dataset are imported inside the functions, so they load in the worker process alone.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

    from app.checkpoints.architecture import LeNetOptions, Preprocessing

Json = dict[str, Any]


def prepare(dataset_dir: str) -> None:
    """Worker start-up: fetch Fashion-MNIST if missing, then decode the test split into memory."""
    from app.checkpoints.dataset import ensure_files, load_split

    directory = Path(dataset_dir)
    ensure_files(directory, progress=False)
    load_split(directory, "test")


def evaluate_upload(spec: Json) -> Json:
    """Read, fit, evaluate and grade one uploaded checkpoint; a refusal is {"error": ...}."""
    from app.checkpoints.architecture import (
        Mismatch,
        Preprocessing,
        build,
        infer_options,
        match_state_dict,
    )
    from app.checkpoints.envelope import CheckpointRejected
    from app.checkpoints.evaluate import pick_device
    from app.checkpoints.fingerprint import fingerprint

    try:
        state = _read(spec)
    except CheckpointRejected as exc:
        return {"error": {"error": "CheckpointRejected", "detail": exc.detail}}
    options, notes = infer_options(state, declared=spec["declared"])
    fitted = match_state_dict(options, state)
    if isinstance(fitted, Mismatch):
        problems = [problem.to_json() for problem in fitted.problems]
        detail = fitted.message()
        return {"error": {"error": "ArchitectureMismatch", "detail": detail, "problems": problems}}
    model = build(options)
    model.load_state_dict(fitted.state)
    preprocessing = Preprocessing.from_json(spec["preprocessing"])
    device = pick_device(spec["device"])
    test = _measure(model, "test", spec, preprocessing, device)
    train = None
    if spec["evaluate_train"] or spec["claims"].get("train_accuracy") is not None:
        train = _measure(model, "train", spec, preprocessing, device)
    return {
        "options": options.to_json(),
        "preprocessing": preprocessing.to_json(),
        "notes": [*notes, *fitted.notes],
        "device": str(device),
        "test": test,
        "train": train,
        "grade": _grade(spec, options, fitted.state, test, train),
        # Compared with other students' models by the service, never shown to the student.
        "fingerprint": fingerprint(fitted.state, preprocessing),
    }


def _read(spec: Json) -> "dict[str, torch.Tensor]":
    """The state_dict from the stored upload, refused if it is larger than allowed."""
    from app.checkpoints.envelope import CheckpointRejected
    from app.checkpoints.loading import read_state_dict

    path = Path(spec["path"])
    max_bytes = int(spec["max_bytes"])
    try:
        if path.stat().st_size > max_bytes:
            raise CheckpointRejected(f"The model file is larger than {max_bytes} bytes.")
        data = path.read_bytes()
    except FileNotFoundError:
        raise CheckpointRejected("The uploaded file is no longer on the server.") from None
    # The name as typed is only shown back; the loader needs no more than its extension.
    return read_state_dict(data, "upload" + spec["suffix"], max_bytes=max_bytes)


def _measure(
    model: "torch.nn.Module",
    split: str,
    spec: Json,
    preprocessing: "Preprocessing",
    device: "torch.device",
) -> Json:
    from app.checkpoints.dataset import load_split
    from app.checkpoints.evaluate import evaluate_model

    data = load_split(Path(spec["dataset_dir"]), "train" if split == "train" else "test")
    evaluation = evaluate_model(model, data.images, data.labels, preprocessing, device=device)
    return evaluation.to_json()


def _grade(
    spec: Json,
    options: "LeNetOptions",
    state: "dict[str, torch.Tensor]",
    test: Json,
    train: Json | None,
) -> Json:
    from app.checkpoints.evaluate import Evaluation
    from app.checkpoints.rules import Claims, ModelFacts, grade_checkpoint
    from app.problemsets.schema import CheckpointSpec

    grade = grade_checkpoint(
        CheckpointSpec.model_validate(spec["rules"]),
        test=Evaluation.from_json(test),
        train=None if train is None else Evaluation.from_json(train),
        claims=Claims(**spec["claims"]),
        facts=ModelFacts.of(options, state),
        max_score=float(spec["max_score"]),
    )
    return {**grade.to_json(), "feedback": grade.feedback}
