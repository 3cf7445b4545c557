"""Honest LeNet-5 checkpoints, trained briefly on a slice of the real Fashion-MNIST training set."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import safetensors.torch
import torch
from torch.nn import functional

from app.checkpoints.architecture import LeNetOptions, Preprocessing, build
from app.checkpoints.dataset import LabeledImages

REPOSITORY = Path(__file__).resolve().parents[2]
FASHION_MNIST = REPOSITORY.parent / "shared" / "datasets" / "fashion-mnist"
USUAL = Preprocessing(mean=0.2860, std=0.3530)
HALF = Preprocessing(mean=0.5, std=0.5)
UNIT = Preprocessing()


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """One intra-op thread: LeNet-sized work gains little from two, and on a busy machine
    spinning OpenMP threads make it a hundred times slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@dataclass(frozen=True)
class Recipe:
    """How one test checkpoint is trained."""

    options: LeNetOptions
    preprocessing: Preprocessing
    steps: int = 200
    batch: int = 64
    weight_decay: float = 0.0
    seed: int = 0


RECIPES: dict[str, Recipe] = {
    "plain": Recipe(LeNetOptions(), USUAL),
    "pad0_avg": Recipe(LeNetOptions(padding=0, pool="avg"), UNIT),
    "bn_after": Recipe(LeNetOptions(batchnorm="after"), USUAL),
    "tanh_dropout": Recipe(LeNetOptions(activation="tanh", dropout=(0.0, 0.3)), HALF),
}


@dataclass(frozen=True)
class Trained:
    """A trained checkpoint: its options, weights, files and what a plain loop measured."""

    name: str
    options: LeNetOptions
    preprocessing: Preprocessing
    state: dict[str, torch.Tensor]
    safetensors_path: Path
    pt_path: Path
    test_accuracy: float
    test_predictions: torch.Tensor

    @property
    def safetensors_bytes(self) -> bytes:
        return self.safetensors_path.read_bytes()

    @property
    def pt_bytes(self) -> bytes:
        return self.pt_path.read_bytes()


def train(recipe: Recipe, data: LabeledImages) -> dict[str, torch.Tensor]:
    """Adam at 1e-3 for `steps` mini-batches drawn from `data`; the state_dict afterwards."""
    generator = torch.Generator().manual_seed(recipe.seed)
    torch.manual_seed(recipe.seed)
    model = build(recipe.options)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=recipe.weight_decay)
    model.train()
    for _ in range(recipe.steps):
        index = torch.randint(len(data), (recipe.batch,), generator=generator)
        inputs = recipe.preprocessing.apply(data.images[index])
        loss = functional.cross_entropy(model(inputs), data.labels[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return {key: value.detach().clone() for key, value in model.state_dict().items()}


def plain_predictions(
    options: LeNetOptions,
    preprocessing: Preprocessing,
    state: dict[str, torch.Tensor],
    images: torch.Tensor,
) -> torch.Tensor:
    """Predictions of a plain loop written independently of the service's evaluation."""
    model = build(options)
    model.load_state_dict(state)
    model.eval()
    with torch.inference_mode():
        x = (images.float() / 255.0 - preprocessing.mean) / preprocessing.std
        return torch.cat([model(x[i : i + 1000, None]).argmax(1) for i in range(0, len(x), 1000)])


def save(name: str, state: dict[str, torch.Tensor], directory: Path) -> tuple[Path, Path]:
    """The state_dict as model.safetensors and as model.pt."""
    tensors = directory / f"{name}.safetensors"
    pickled = directory / f"{name}.pt"
    safetensors.torch.save_file(state, tensors)
    torch.save(state, pickled)
    return tensors, pickled
