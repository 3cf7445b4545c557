"""Training the LeNet-5 family the way the dl-ex1 write-ups did: Adam on Fashion-MNIST."""

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional

from app.checkpoints.architecture import LeNet5, LeNetOptions, Preprocessing, build
from app.checkpoints.dataset import LabeledImages

Progress = Callable[[int, int, float], None]
"""Called as progress(epoch, step, loss) every `report_every` steps."""

NORMALIZED = Preprocessing(mean=0.2860, std=0.3530)
"""The Fashion-MNIST training-set pixel mean and std, as the write-ups normalized."""


@dataclass(frozen=True, slots=True)
class TrainingConfig:
    """Optimizer and schedule; `max_steps` cuts a run short (tests train a few hundred steps)."""

    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 0.0
    seed: int = 0
    max_steps: int | None = None
    report_every: int = 100


@dataclass(frozen=True, slots=True)
class Variant:
    """One row of the q4 table: the field it answers, its architecture and its weight decay."""

    field: str
    options: LeNetOptions
    weight_decay: float = 0.0


REFERENCE_VARIANTS = (
    Variant("q4.baseline", LeNetOptions()),
    Variant("q4.dropout", LeNetOptions(dropout=(0.0, 0.3))),
    Variant("q4.weight_decay", LeNetOptions(), weight_decay=1e-4),
    Variant("q4.batchnorm", LeNetOptions(batchnorm="after")),
)
"""The four models of dl-ex1 q4 with the settings the write-ups used."""


def train(
    options: LeNetOptions,
    data: LabeledImages,
    preprocessing: Preprocessing,
    config: TrainingConfig,
    *,
    device: torch.device,
    progress: Progress | None = None,
) -> LeNet5:
    """A model trained from a seeded initialization; returned in eval mode, on the CPU."""
    torch.manual_seed(config.seed)
    model = build(options).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    inputs = preprocessing.apply(data.images).to(device)
    labels = data.labels.to(device)
    order = torch.Generator().manual_seed(config.seed)
    step = 0
    for epoch in range(config.epochs):
        model.train()
        permutation = torch.randperm(inputs.shape[0], generator=order).to(device)
        for batch in torch.split(permutation, config.batch_size):
            loss = _step(model, optimizer, inputs[batch], labels[batch])
            step += 1
            if progress is not None and step % config.report_every == 0:
                progress(epoch, step, loss)
            if config.max_steps is not None and step >= config.max_steps:
                return model.eval().cpu()
    return model.eval().cpu()


def _step(
    model: nn.Module, optimizer: torch.optim.Optimizer, inputs: torch.Tensor, labels: torch.Tensor
) -> float:
    optimizer.zero_grad(set_to_none=True)
    loss = functional.cross_entropy(model(inputs), labels)
    loss.backward()  # type: ignore[no-untyped-call]
    optimizer.step()
    return float(loss.detach())
