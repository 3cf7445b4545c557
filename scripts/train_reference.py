"""Train the four dl-ex1 q4 LeNet-5 variants, upload them, and compare claimed with measured.

    .venv/bin/python scripts/train_reference.py --out /tmp/reference \
        --url http://127.0.0.1:8000 --token "$STUDENT_TOKEN"

Each variant is trained on the 60,000 training images (Adam, lr 1e-3, batch 128, inputs
normalized with 0.2860/0.3530), measured on the test and training sets with the service's own
evaluation (app.checkpoints.evaluate), saved as safetensors, then uploaded to a running service
whose measurement must equal the claim exactly. Without --url the service is not asked and
the table shows training's own measurement only.
"""

import argparse
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import torch
from safetensors.torch import load_file, save_file

from app.checkpoints.architecture import build
from app.checkpoints.dataset import LabeledImages, load_split
from app.checkpoints.evaluate import evaluate_model, pick_device
from app.checkpoints.training import NORMALIZED, REFERENCE_VARIANTS, TrainingConfig, Variant, train

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "fashion-mnist"
POLL_INTERVAL_S = 1.0
POLL_LIMIT_S = 600.0
HTTP_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Row:
    """One variant: what training measured and, when uploaded, what the service measured."""

    field: str
    seconds: float
    claimed_train: float
    claimed_test: float
    measured_test: float | None = None
    verdict: str | None = None


def main(argv: list[str] | None = None) -> int:
    """Train, save, upload and print the table; returns the exit status."""
    args = _parser().parse_args(argv)
    torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    train_set, test_set = load_split(args.data, "train"), load_split(args.data, "test")
    args.out.mkdir(parents=True, exist_ok=True)
    config = TrainingConfig(epochs=args.epochs, batch_size=args.batch_size, seed=args.seed)
    rows = []
    for variant in REFERENCE_VARIANTS:
        path = args.out / f"{variant.field.replace('.', '_')}.safetensors"
        row = _train_one(variant, config, train_set, test_set, path, device, reuse=args.reuse)
        if args.url:
            row = _upload(args, variant, path, row)
        rows.append(row)
        print(_table(rows[-1:], header=False), flush=True)
    print()
    print(_table(rows, header=True))
    agree = all(row.measured_test == row.claimed_test for row in rows) or not args.url
    print("service measurement equals training's: " + ("yes" if agree else "NO"))
    return 0 if agree else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="where the checkpoints go")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="Fashion-MNIST files")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--reuse", action="store_true", help="load checkpoints already in --out")
    parser.add_argument("--url", help="a running service, e.g. http://127.0.0.1:8000")
    parser.add_argument("--token", help="a student's bearer token for --url")
    parser.add_argument("--problem-set", default="dl-ex1")
    return parser


def _train_one(
    variant: Variant,
    config: TrainingConfig,
    train_set: LabeledImages,
    test_set: LabeledImages,
    path: Path,
    device: torch.device,
    *,
    reuse: bool,
) -> Row:
    started = time.perf_counter()
    if reuse and path.is_file():
        model = build(variant.options)
        model.load_state_dict(load_file(path))
    else:
        config = replace(config, weight_decay=variant.weight_decay)
        model = train(
            variant.options, train_set, NORMALIZED, config, device=device, progress=_progress
        )
        save_file(model.state_dict(), path)
    seconds = time.perf_counter() - started
    on_train = evaluate_model(model, train_set.images, train_set.labels, NORMALIZED, device=device)
    on_test = evaluate_model(model, test_set.images, test_set.labels, NORMALIZED, device=device)
    return Row(variant.field, seconds, on_train.accuracy, on_test.accuracy)


def _progress(epoch: int, step: int, loss: float) -> None:
    print(f"  epoch {epoch + 1} step {step} loss {loss:.3f}", file=sys.stderr, flush=True)


def _upload(args: argparse.Namespace, variant: Variant, path: Path, row: Row) -> Row:
    form = {
        "field": variant.field,
        "padding": str(variant.options.padding),
        "pool": variant.options.pool,
        "activation": variant.options.activation,
        "batchnorm": variant.options.batchnorm,
        "dropout": ",".join(f"{rate:g}" for rate in variant.options.dropout),
        "mean": repr(NORMALIZED.mean),
        "std": repr(NORMALIZED.std),
        "claimed_test_accuracy": repr(row.claimed_test),
        "claimed_train_accuracy": repr(row.claimed_train),
    }
    form = {name: value for name, value in form.items() if value}
    headers = {"Authorization": f"Bearer {args.token}"}
    with httpx.Client(base_url=args.url, headers=headers, timeout=HTTP_TIMEOUT_S) as client:
        files = {"file": (path.name, path.read_bytes(), "application/octet-stream")}
        url = f"/api/v1/problem-sets/{args.problem_set}/checkpoints"
        accepted = client.post(url, data=form, files=files)
        if accepted.status_code != httpx.codes.ACCEPTED:
            print(f"{variant.field}: the upload was refused: {accepted.text}", file=sys.stderr)
            return replace(row, verdict=f"refused ({accepted.status_code})")
        job = _wait(client, accepted.json()["job_id"])
    if job["status"] != "done":
        print(f"{variant.field}: the job failed: {job.get('error')}", file=sys.stderr)
        return replace(row, verdict="job failed")
    result = job["result"]
    measured = float(result["test"]["accuracy"])
    return replace(row, measured_test=measured, verdict=result["grade"]["verdict"])


def _wait(client: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + POLL_LIMIT_S
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").raise_for_status().json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(POLL_INTERVAL_S)
    sys.exit(f"job {job_id} did not finish within {POLL_LIMIT_S:g} s")


def _table(rows: list[Row], *, header: bool) -> str:
    lines = []
    if header:
        lines.append(
            "| field | train s | claimed train | claimed test | measured test | equal | verdict |"
        )
        lines.append("|---|---:|---:|---:|---:|---|---|")
    for row in rows:
        measured = "-" if row.measured_test is None else f"{row.measured_test:.2%}"
        equal = "-" if row.measured_test is None else str(row.measured_test == row.claimed_test)
        lines.append(
            f"| {row.field} | {row.seconds:.0f} | {row.claimed_train:.2%} | "
            f"{row.claimed_test:.2%} | {measured} | {equal} | {row.verdict or '-'} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
