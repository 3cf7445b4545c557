"""Checkpoints per second: one model at a time against the stacked batch path.

Run with `python -m benchmarks.checkpoints`. N checkpoints of one LeNet-5 family (a model
trained briefly on the real training set, then N copies with their weights perturbed by a
few percent, so their logits look like trained ones) are evaluated on the 10,000 test images
two ways in one run: a plain PyTorch loop (each model alone over the preloaded test tensor,
batch 1000, inference_mode) and `app.checkpoints.batch.predict_many`. Both use the same
number of threads; each is timed `--rounds` times and the fastest round is reported, as the
machine is shared and noisy. Figures are printed, never asserted. On a machine with CUDA, the
same comparison runs on the GPU too.
"""

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import torch

from app.checkpoints.architecture import LeNetOptions, build
from app.checkpoints.batch import MODELS_PER_CHUNK, SUB_BATCH, predict_many
from app.checkpoints.dataset import LabeledImages, load_split
from app.checkpoints.evaluate import exact_float32
from app.checkpoints.training import NORMALIZED, TrainingConfig, train

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "fashion-mnist"
BATCH = 1000
PERTURBATION = 0.05
State = dict[str, torch.Tensor]


def main() -> None:
    """Build the checkpoints, time both paths on every device, and print the figures."""
    args = _options()
    torch.set_num_threads(args.threads)
    options = LeNetOptions(batchnorm=args.batchnorm)
    test = load_split(args.data, "test")
    states = _checkpoints(options, load_split(args.data, "train"), args.models, args.train_steps)
    print(f"{args.models} checkpoints, {options.describe()}, {test.images.shape[0]} test images,")
    print(f"{torch.get_num_threads()} threads, fastest of {args.rounds} rounds")
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    for device in devices:
        _compare(states, options, test, device, args)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=64, help="checkpoints to evaluate")
    parser.add_argument("--rounds", type=int, default=3, help="timed repetitions of each path")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="Fashion-MNIST files")
    parser.add_argument("--batchnorm", default="none", choices=("none", "before", "after"))
    parser.add_argument("--train-steps", type=int, default=300, help="training of the base model")
    parser.add_argument("--models-per-chunk", type=int, default=MODELS_PER_CHUNK)
    parser.add_argument("--sub-batch", type=int, default=SUB_BATCH)
    return parser.parse_args()


def _checkpoints(
    options: LeNetOptions, train_set: LabeledImages, count: int, steps: int
) -> list[State]:
    """A briefly trained model and `count` perturbed copies of it."""
    config = TrainingConfig(max_steps=steps)
    base = train(options, train_set, NORMALIZED, config, device=torch.device("cpu")).state_dict()
    generator = torch.Generator().manual_seed(0)
    return [_perturbed(base, generator) for _ in range(count)]


def _perturbed(state: State, generator: torch.Generator) -> State:
    copy = {}
    for key, value in state.items():
        if value.is_floating_point() and "running_var" not in key:
            noise = torch.randn(value.shape, generator=generator)
            value = value * (1 + PERTURBATION * noise)
        copy[key] = value
    return copy


def _plain(
    states: list[State], options: LeNetOptions, images: torch.Tensor, device: torch.device
) -> torch.Tensor:
    """Each model alone: build, load, eval, inference_mode, batches of 1000."""
    inputs = NORMALIZED.apply(images).to(device)
    rows = []
    with torch.inference_mode(), exact_float32():
        for state in states:
            model = build(options)
            model.load_state_dict(state)
            model.eval().to(device)
            batches = [model(batch).argmax(dim=1) for batch in torch.split(inputs, BATCH)]
            rows.append(torch.cat(batches).cpu())
    return torch.stack(rows)


def _compare(
    states: list[State],
    options: LeNetOptions,
    test: LabeledImages,
    device: torch.device,
    args: argparse.Namespace,
) -> None:
    def batch() -> torch.Tensor:
        predictions = predict_many(
            states,
            options,
            NORMALIZED,
            test.images,
            device=device,
            models_per_chunk=args.models_per_chunk,
            sub_batch=args.sub_batch,
        )
        rechecked.append(predictions.rechecked)
        return predictions.classes

    rechecked: list[int] = []
    plain_s, expected = _fastest(lambda: _plain(states, options, test.images, device), args)
    batch_s, got = _fastest(batch, args)
    count = len(states)
    batches = count * -(-test.images.shape[0] // BATCH)
    print(f"\n{device.type}:")
    print(f"  plain loop  {count / plain_s:8.1f} checkpoints/s  ({plain_s:.2f} s)")
    print(f"  batch path  {count / batch_s:8.1f} checkpoints/s  ({batch_s:.2f} s)")
    print(f"  ratio       {plain_s / batch_s:8.2f}x")
    print(f"  identical predictions: {torch.equal(expected, got)}")
    print(f"  (model, batch) pairs re-checked alone: {max(rechecked)} of {batches}")


def _fastest(
    run: Callable[[], torch.Tensor], args: argparse.Namespace
) -> tuple[float, torch.Tensor]:
    times = []
    result = run()  # warm-up: allocator, oneDNN primitives, CUDA context
    for _ in range(args.rounds):
        started = time.perf_counter()
        result = run()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        times.append(time.perf_counter() - started)
    return min(times), result


if __name__ == "__main__":
    main()
