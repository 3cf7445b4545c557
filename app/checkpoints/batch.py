"""Many checkpoints of one LeNet-5 family at once: the models stacked into one wide network.

N models that share an input are one computation: conv1 of all of them is a single matmul of
the input's 5x5 patches with N*6 filters (one wide convolution), pooled as it is computed;
batch norm, activation and pooling act on the stacked channels; conv2 runs per model (a
grouped conv on CUDA); the fc layers are batched matmuls over (N, batch, features).

The stacked kernels sum in another order than a lone model's, so logits differ in the last
bits (at most about 1e-6 of the largest logit). A prediction can only differ where the two
best logits are that close; for any model with such an image in a batch, that batch is
evaluated again by the model alone, exactly as `evaluate.predict` does, and its predictions
are taken. Predictions are therefore identical to evaluating each model by itself.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch
from torch.nn import functional

from app.checkpoints.architecture import LeNetOptions, Preprocessing, build
from app.checkpoints.evaluate import Evaluation, exact_float32, summarize

State = Mapping[str, torch.Tensor]

MODELS_PER_CHUNK = 32
"""Models stacked at once: bounds memory (weights are small; activations grow with N)."""
SUB_BATCH = 250
"""Images per stacked pass: enough for oneDNN to run each model's conv2 at full speed."""
CONV1_IMAGES = 50
"""Images per conv1 matmul: the N*6 conv1 channels of 50 images stay in the CPU's cache."""
MARGIN_RTOL = 1e-5
"""Two best logits closer than this (relative to the largest logit) are re-checked alone.
Measured on trained LeNet-5s, stacked and lone logits differ by at most 1.1e-6 of the largest
logit, so a class can change only below a margin of 2.2e-6: this keeps a factor of 4.5."""
_NORMS = ("bn1", "bn2", "bn3", "bn4")
BATCH_NORM_EPS = torch.nn.BatchNorm2d(1).eps
"""The eps of LeNet5's batch norms (torch's default), with which their statistics were kept."""
_KERNEL = 5
_PATCH = _KERNEL * _KERNEL
_WINDOW = ((0, 0), (0, 1), (1, 0), (1, 1))


@dataclass(frozen=True, slots=True)
class Predictions:
    """Predicted classes (models, images) and how many (model, batch) pairs were re-checked."""

    classes: torch.Tensor
    rechecked: int


@dataclass(frozen=True, slots=True)
class _Norm:
    """Batch-norm statistics of all stacked models, concatenated along the channels."""

    mean: torch.Tensor
    var: torch.Tensor
    weight: torch.Tensor
    bias: torch.Tensor
    eps: float


@dataclass(frozen=True, slots=True)
class _Stack:
    """The weights of n models of one family, laid out for the stacked forward pass."""

    options: LeNetOptions
    count: int
    conv1: tuple[torch.Tensor, torch.Tensor]
    conv2: tuple[torch.Tensor, torch.Tensor]
    fc: tuple[tuple[torch.Tensor, torch.Tensor], ...]
    norms: Mapping[str, _Norm]
    grouped: bool


def evaluate_many(
    states: Sequence[State],
    options: LeNetOptions,
    preprocessing: Preprocessing,
    images: torch.Tensor,
    labels: torch.Tensor,
    *,
    device: torch.device,
    batch_size: int = 1000,
) -> list[Evaluation]:
    """The evaluation of every state_dict (canonical keys, as `match_state_dict` gives them)."""
    predictions = predict_many(
        states, options, preprocessing, images, device=device, batch_size=batch_size
    )
    return [summarize(row, labels) for row in predictions.classes]


def predict_many(
    states: Sequence[State],
    options: LeNetOptions,
    preprocessing: Preprocessing,
    images: torch.Tensor,
    *,
    device: torch.device,
    batch_size: int = 1000,
    models_per_chunk: int = MODELS_PER_CHUNK,
    sub_batch: int = SUB_BATCH,
    grouped: bool | None = None,
) -> Predictions:
    """Predicted classes (len(states), len(images)) on the CPU, as each model alone predicts.

    `grouped` runs conv2 as one grouped conv (the default on CUDA) instead of one conv per
    model (the default on the CPU, where oneDNN's grouped conv is slower).
    """
    if grouped is None:
        grouped = device.type == "cuda"
    rows = [torch.empty(0, images.shape[0], dtype=torch.int64)]
    rechecked = 0
    with torch.inference_mode(), exact_float32():
        for start in range(0, len(states), models_per_chunk):
            chunk = states[start : start + models_per_chunk]
            stack = _stack(chunk, options, device, grouped=grouped)
            classes, count = _predict_chunk(
                stack, chunk, preprocessing, images, device, batch_size, sub_batch=sub_batch
            )
            rows.append(classes)
            rechecked += count
    return Predictions(torch.cat(rows), rechecked)


def _predict_chunk(
    stack: _Stack,
    states: Sequence[State],
    preprocessing: Preprocessing,
    images: torch.Tensor,
    device: torch.device,
    batch_size: int,
    *,
    sub_batch: int,
) -> tuple[torch.Tensor, int]:
    columns = [torch.empty(stack.count, 0, dtype=torch.int64)]
    rechecked = 0
    for start in range(0, images.shape[0], batch_size):
        # The same batches as evaluate.predict, so a re-check sees exactly what it saw.
        inputs = preprocessing.apply(images[start : start + batch_size].to(device))
        logits = torch.cat(
            [_forward(stack, part) for part in torch.split(inputs, sub_batch)], dim=1
        )
        predicted = logits.argmax(dim=2)
        for index in _close_calls(logits).tolist():
            predicted[index] = _alone(states[index], stack.options, inputs)
            rechecked += 1
        columns.append(predicted.cpu())
    return torch.cat(columns, dim=1), rechecked


def _close_calls(logits: torch.Tensor) -> torch.Tensor:
    """Indices of the models with an image whose two best logits are too close to call."""
    top = logits.topk(2, dim=2).values
    scale = logits.abs().amax(dim=2).clamp(min=1.0)
    close = (top[..., 0] - top[..., 1]) <= MARGIN_RTOL * scale
    return close.any(dim=1).nonzero().flatten()


def _alone(state: State, options: LeNetOptions, inputs: torch.Tensor) -> torch.Tensor:
    """The predictions of one model by itself, as evaluate.predict computes them."""
    model = build(options)
    model.load_state_dict(state)
    model.eval().to(inputs.device)
    return model(inputs).argmax(dim=1)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- stacking the weights


def _stack(
    states: Sequence[State], options: LeNetOptions, device: torch.device, *, grouped: bool
) -> _Stack:
    def cat(key: str) -> torch.Tensor:
        return torch.cat([_float(state[key]) for state in states]).to(device)

    def fc(layer: str) -> tuple[torch.Tensor, torch.Tensor]:
        weight = torch.stack([_float(state[f"{layer}.weight"]).t() for state in states])
        bias = torch.stack([_float(state[f"{layer}.bias"]) for state in states])
        return weight.contiguous().to(device), bias.unsqueeze(1).to(device)

    norms = {}
    if options.batchnorm != "none":
        eps = BATCH_NORM_EPS
        for norm in _NORMS:
            mean, var = cat(f"{norm}.running_mean"), cat(f"{norm}.running_var")
            weight, bias = cat(f"{norm}.weight"), cat(f"{norm}.bias")
            norms[norm] = _Norm(mean, var, weight, bias, eps)
    conv1 = cat("conv1.weight").reshape(-1, _PATCH).t().contiguous()
    return _Stack(
        options=options,
        count=len(states),
        conv1=(conv1, cat("conv1.bias")),
        conv2=(cat("conv2.weight"), cat("conv2.bias")),
        fc=tuple(fc(layer) for layer in ("fc1", "fc2", "fc3")),
        norms=norms,
        grouped=grouped,
    )


def _float(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.detach().to(torch.float32)


# ---------------------------------------------------------------- the stacked forward pass


def _forward(stack: _Stack, inputs: torch.Tensor) -> torch.Tensor:
    """Logits (n, batch, 10) of all stacked models for inputs (batch, 1, 28, 28)."""
    x = _conv2_block(stack, _conv1_block(stack, inputs))
    for (weight, bias), norm in zip(stack.fc[:-1], ("bn3", "bn4"), strict=True):
        x = _fc_activate(stack, torch.baddbmm(bias, x, weight), norm)
    weight, bias = stack.fc[-1]
    return torch.baddbmm(bias, x, weight)


def _conv1_block(stack: _Stack, inputs: torch.Tensor) -> torch.Tensor:
    """conv1 of every model, activated and pooled, model by model: (n, batch, 6, side, side)."""
    side = (inputs.shape[-1] + 2 * stack.options.padding - _KERNEL + 1) // 2
    pooled = inputs.new_empty(stack.count, inputs.shape[0], 6, side, side)
    start = 0
    for part in torch.split(inputs, CONV1_IMAGES):
        channels_last = _conv1_pooled(stack, part).view(part.shape[0], side, side, stack.count, 6)
        pooled[:, start : start + part.shape[0]] = channels_last.permute(3, 0, 4, 1, 2)
        start += part.shape[0]
    return pooled


def _conv1_pooled(stack: _Stack, inputs: torch.Tensor) -> torch.Tensor:
    """conv1, activated and pooled, channels last: (batch * side * side, n*6).

    The convolution is one matmul of the shared 5x5 input patches with all models' filters,
    done once per position in the 2x2 pooling window and pooled as it goes, so the full-size
    conv1 output (4x the pooled one) is never stored.
    """
    options = stack.options
    weight, bias = stack.conv1
    patches = _patches(inputs, options.padding)
    norm = stack.norms.get("bn1")
    # Rounding is monotone, so adding the bias and a monotone activation commute with the max:
    # without batch norm in between, both are applied to the pooled values only.
    late = options.pool == "max" and options.batchnorm == "none"
    defer = _relu_after_pool(options)
    pooled: torch.Tensor | None = None
    for row, column in _WINDOW:
        window = patches[:, :, row, :, column].reshape(-1, _PATCH)
        if late:
            x = torch.mm(window, weight)
        else:
            # Channels on dim 1, as batch norm expects them.
            x = _before_pool(options, torch.addmm(bias, window, weight), norm, defer_relu=defer)
        if pooled is None:
            pooled = x
        elif options.pool == "max":
            pooled = torch.maximum(pooled, x, out=pooled)
        else:
            pooled = pooled.add_(x)
    assert pooled is not None
    if late:
        return _activate(pooled.add_(bias), options)
    if options.pool == "avg":
        pooled = pooled.div_(len(_WINDOW))
    return torch.relu_(pooled) if defer else pooled


def _patches(inputs: torch.Tensor, padding: int) -> torch.Tensor:
    """The 5x5 patches under conv1: (batch, side, 2, side, 2, 25) by pooling window position."""
    padded = functional.pad(inputs[:, 0], (padding,) * 4)
    patches = padded.unfold(1, _KERNEL, 1).unfold(2, _KERNEL, 1)
    batch, full = patches.shape[0], patches.shape[1]
    return patches.reshape(batch, full // 2, 2, full // 2, 2, _PATCH)


def _conv2_block(stack: _Stack, x: torch.Tensor) -> torch.Tensor:
    """conv2 of every model, activated, pooled and flattened: (n, batch, 16*s*s)."""
    if stack.grouped:
        return _conv2_grouped(stack, x)
    options = stack.options
    weights, biases = (torch.split(tensor, 16) for tensor in stack.conv2)
    norms = _split_norm(stack.norms.get("bn2"), stack.count)
    defer = _relu_after_pool(options)
    out: torch.Tensor | None = None
    # oneDNN runs LeNet's conv2 model by model several times faster than as a grouped conv.
    for index, (weight, bias, norm) in enumerate(zip(weights, biases, norms, strict=True)):
        y = functional.conv2d(x[index], weight, bias)
        y = _pool(_before_pool(options, y, norm, defer_relu=defer), options.pool)
        if out is None:
            out = y.new_empty(stack.count, *y.shape)
        out[index] = y
    assert out is not None
    out = torch.relu_(out) if defer else out
    return out.view(stack.count, x.shape[1], -1)


def _conv2_grouped(stack: _Stack, x: torch.Tensor) -> torch.Tensor:
    """conv2 of every model as one grouped conv (one kernel launch on a GPU)."""
    count, batch, channels, side, _ = x.shape
    wide = x.transpose(0, 1).reshape(batch, count * channels, side, side)
    weight, bias = stack.conv2
    y = functional.conv2d(wide, weight, bias, groups=count)
    y = _before_pool(stack.options, y, stack.norms.get("bn2"), defer_relu=False)
    y = _pool(y, stack.options.pool)
    # (batch, n*16, s, s) -> (n, batch, 16*s*s): each model's features in its own flatten order.
    return y.reshape(batch, count, -1).transpose(0, 1)


def _split_norm(norm: _Norm | None, count: int) -> list[_Norm | None]:
    if norm is None:
        return [None] * count
    parts = (t.chunk(count) for t in (norm.mean, norm.var, norm.weight, norm.bias))
    return [
        _Norm(mean, var, weight, bias, norm.eps)
        for mean, var, weight, bias in zip(*parts, strict=True)
    ]


def _relu_after_pool(options: LeNetOptions) -> bool:
    """ReLU commutes exactly with max pooling: applied after it, it touches 4x fewer values."""
    return options.pool == "max" and options.activation == "relu" and options.batchnorm != "after"


def _before_pool(
    options: LeNetOptions, x: torch.Tensor, norm: _Norm | None, *, defer_relu: bool
) -> torch.Tensor:
    """Batch norm and activation in LeNet5's order, channels on dim 1; ReLU left out if deferred."""
    if options.batchnorm == "before":
        x = _batch_norm(x, norm)
    if defer_relu:
        return x
    x = _activate(x, options)
    if options.batchnorm == "after":
        x = _batch_norm(x, norm)
    return x


def _pool(x: torch.Tensor, pool: str) -> torch.Tensor:
    if pool == "avg":
        return functional.avg_pool2d(x, 2)
    # The max of the four strided views: exact, and far faster than max_pool2d on many channels.
    top = torch.maximum(x[..., 0::2, 0::2], x[..., 0::2, 1::2])
    return torch.maximum(top, torch.maximum(x[..., 1::2, 0::2], x[..., 1::2, 1::2]), out=top)


def _fc_activate(stack: _Stack, x: torch.Tensor, norm: str) -> torch.Tensor:
    """Batch norm and activation of a hidden fc layer, x being (n, batch, features)."""
    options = stack.options
    if options.batchnorm == "before":
        x = _fc_norm(x, stack.norms[norm])
    x = _activate(x, options)
    if options.batchnorm == "after":
        x = _fc_norm(x, stack.norms[norm])
    return x


def _activate(x: torch.Tensor, options: LeNetOptions) -> torch.Tensor:
    return torch.relu(x) if options.activation == "relu" else torch.tanh(x)


def _fc_norm(x: torch.Tensor, norm: _Norm) -> torch.Tensor:
    """Batch norm of (n, batch, f) as one (batch, n*f) batch norm, the kernel BatchNorm1d uses."""
    count, batch, features = x.shape
    flat = x.transpose(0, 1).reshape(batch, count * features)
    return _batch_norm(flat, norm).reshape(batch, count, features).transpose(0, 1)


def _batch_norm(x: torch.Tensor, norm: _Norm | None) -> torch.Tensor:
    assert norm is not None, "batch norm statistics were stacked for these options"
    return functional.batch_norm(
        x, norm.mean, norm.var, norm.weight, norm.bias, training=False, eps=norm.eps
    )
