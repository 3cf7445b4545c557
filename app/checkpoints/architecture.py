"""The LeNet-5 family students build, as the server's own code, and fitting state_dicts to it."""

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

import torch
from torch import nn
from torch.nn import functional

from app.untrusted import shown

Padding = Literal[0, 2]
Pool = Literal["max", "avg"]
Activation = Literal["relu", "tanh"]
BatchNorm = Literal["none", "before", "after"]
Shape = tuple[int, ...]

PADDINGS: tuple[Padding, ...] = (0, 2)
POOLS: tuple[Pool, ...] = ("max", "avg")
ACTIVATIONS: tuple[Activation, ...] = ("relu", "tanh")
BATCHNORMS: tuple[BatchNorm, ...] = ("none", "before", "after")
DROPOUT_SITES = ("fc1", "fc2")
NUM_CLASSES = 10
IMAGE_SIDE = 28
# Weights (conv1, conv2, fc1, fc2, fc3) and the batch norm after each of the first four.
_WEIGHTED = ("conv1", "conv2", "fc1", "fc2", "fc3")
_NORMS = {"conv1": "bn1", "conv2": "bn2", "fc1": "bn3", "fc2": "bn4"}
_BN_STATS = ("weight", "bias", "running_mean", "running_var")
_BN_COUNTER = "num_batches_tracked"
_WRAPPERS = ("module.", "_orig_mod.", "model.")
_MAX_PREPROCESSING = 10.0


@dataclass(frozen=True, slots=True)
class LeNetOptions:
    """What a student's LeNet-5 looks like; `dropout[i]` is the rate after fc{i+1}, 0 for none."""

    padding: Padding = 2
    pool: Pool = "max"
    activation: Activation = "relu"
    batchnorm: BatchNorm = "none"
    dropout: tuple[float, ...] = field(default=())

    def __post_init__(self) -> None:
        _one_of("padding", self.padding, PADDINGS)
        _one_of("pool", self.pool, POOLS)
        _one_of("activation", self.activation, ACTIVATIONS)
        _one_of("batchnorm", self.batchnorm, BATCHNORMS)
        if not isinstance(self.dropout, tuple) or len(self.dropout) > len(DROPOUT_SITES):
            raise ValueError("dropout is at most two rates: after fc1 and after fc2")
        for rate in self.dropout:
            if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate < 1:
                raise ValueError(f"a dropout rate is a number in [0, 1), not {shown(str(rate))}")

    @property
    def flatten(self) -> int:
        """Inputs of fc1: 16x5x5 with padding 2, 16x4x4 without."""
        side = ((IMAGE_SIDE + 2 * self.padding - 4) // 2 - 4) // 2
        return 16 * side * side

    @property
    def has_dropout(self) -> bool:
        """Whether any dropout rate is above zero."""
        return any(rate > 0 for rate in self.dropout)

    def describe(self) -> str:
        """The options in words, for feedback."""
        norm = "no batch norm"
        if self.batchnorm != "none":
            norm = f"batch norm {self.batchnorm} the activation"
        sites = [
            f"{rate:g} after {site}"
            for rate, site in zip(self.dropout, DROPOUT_SITES, strict=False)
            if rate
        ]
        drop = "dropout " + " and ".join(sites) if sites else "no dropout"
        return f"padding {self.padding}, {self.pool} pooling, {self.activation}, {norm}, {drop}"

    def to_json(self) -> dict[str, Any]:
        """The options as JSON-ready values."""
        values = asdict(self)
        values["dropout"] = list(self.dropout)
        return values

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "LeNetOptions":
        """Options from JSON; unknown keys and bad values raise ValueError."""
        values = _known_keys(cls, data)
        if "dropout" in values:
            if not isinstance(values["dropout"], list | tuple):
                raise ValueError("dropout is a list of rates")
            values["dropout"] = tuple(values["dropout"])
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Preprocessing:
    """Pixels are scaled to [0, 1], then normalized: (x - mean) / std."""

    mean: float = 0.0
    std: float = 1.0

    def __post_init__(self) -> None:
        for name in ("mean", "std"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number")
            if not math.isfinite(value) or abs(value) > _MAX_PREPROCESSING:
                raise ValueError(f"{name} must be a finite number within ±{_MAX_PREPROCESSING:g}")
        if self.std <= 0:
            raise ValueError("std must be positive")

    def apply(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 images (N, 28, 28) as the float32 network input (N, 1, 28, 28)."""
        scaled = images.unsqueeze(1).to(torch.float32) / 255.0
        return (scaled - self.mean) / self.std

    def to_json(self) -> dict[str, Any]:
        """The preprocessing as JSON-ready values."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Preprocessing":
        """Preprocessing from JSON; unknown keys and bad values raise ValueError."""
        return cls(**_known_keys(cls, data))


def _one_of(name: str, value: object, allowed: tuple[object, ...]) -> None:
    if isinstance(value, bool) or value not in allowed:
        choices = ", ".join(str(choice) for choice in allowed)
        raise ValueError(f"{name} must be one of {choices}, not {shown(str(value))}")


def _known_keys(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    names = {item.name for item in fields(cls)}
    unknown = [str(key) for key in data if key not in names]
    if unknown:
        raise ValueError(f"unknown option {shown(unknown[0])}; known: {', '.join(sorted(names))}")
    return dict(data)


class LeNet5(nn.Module):
    """conv1 1->6 k5, pool, conv2 6->16 k5, pool, fc1 -> 120, fc2 -> 84, fc3 -> 10."""

    def __init__(self, options: LeNetOptions) -> None:
        super().__init__()
        self.options = options
        self.conv1 = nn.Conv2d(1, 6, 5, padding=options.padding)
        self.bn1 = _norm(options, 6, conv=True)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.bn2 = _norm(options, 16, conv=True)
        self.fc1 = nn.Linear(options.flatten, 120)
        self.bn3 = _norm(options, 120, conv=False)
        self.fc2 = nn.Linear(120, 84)
        self.bn4 = _norm(options, 84, conv=False)
        self.fc3 = nn.Linear(84, NUM_CLASSES)
        rates = (*options.dropout, 0.0, 0.0)
        self.drop1 = nn.Dropout(rates[0])
        self.drop2 = nn.Dropout(rates[1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, 10) for inputs (N, 1, 28, 28)."""
        x = self._pool(self._activate(self.conv1(x), self.bn1))
        x = self._pool(self._activate(self.conv2(x), self.bn2))
        x = self.drop1(self._activate(self.fc1(x.flatten(1)), self.bn3))
        x = self.drop2(self._activate(self.fc2(x), self.bn4))
        return self.fc3(x)  # type: ignore[no-any-return]

    def _activate(self, x: torch.Tensor, norm: nn.Module) -> torch.Tensor:
        if self.options.batchnorm == "before":
            x = norm(x)
        x = torch.relu(x) if self.options.activation == "relu" else torch.tanh(x)
        if self.options.batchnorm == "after":
            x = norm(x)
        return x

    def _pool(self, x: torch.Tensor) -> torch.Tensor:
        if self.options.pool == "max":
            return functional.max_pool2d(x, 2)
        return functional.avg_pool2d(x, 2)


def _norm(options: LeNetOptions, width: int, *, conv: bool) -> nn.Module:
    if options.batchnorm == "none":
        return nn.Identity()
    return nn.BatchNorm2d(width) if conv else nn.BatchNorm1d(width)


def build(options: LeNetOptions) -> LeNet5:
    """A freshly initialized model with these options."""
    return LeNet5(options)


def _layer_shapes(options: LeNetOptions) -> dict[str, dict[str, Shape]]:
    """Canonical layers in forward order, each with its tensors' shapes."""
    weights: dict[str, Shape] = {
        "conv1": (6, 1, 5, 5),
        "conv2": (16, 6, 5, 5),
        "fc1": (120, options.flatten),
        "fc2": (84, 120),
        "fc3": (NUM_CLASSES, 84),
    }
    layers: dict[str, dict[str, Shape]] = {}
    for name in _WEIGHTED:
        layers[name] = {"weight": weights[name], "bias": weights[name][:1]}
        if name in _NORMS and options.batchnorm != "none":
            width = weights[name][:1]
            norm = dict.fromkeys(_BN_STATS, width)
            layers[_NORMS[name]] = norm | {_BN_COUNTER: ()}
    return layers


def expected_shapes(options: LeNetOptions) -> dict[str, Shape]:
    """Every key of `build(options).state_dict()` with its shape, in forward order."""
    return {
        f"{layer}.{suffix}": shape
        for layer, tensors in _layer_shapes(options).items()
        for suffix, shape in tensors.items()
    }


# ---------------------------------------------------------------- fitting a state_dict


@dataclass(frozen=True, slots=True)
class Matched:
    """The state_dict under canonical names, ready for `load_state_dict`; notes say what changed."""

    state: dict[str, torch.Tensor]
    notes: list[str]


ProblemKind = Literal["missing", "unexpected", "wrong shape"]


@dataclass(frozen=True, slots=True)
class KeyProblem:
    """One key that does not fit."""

    key: str
    problem: ProblemKind
    expected: Shape | None = None
    found: Shape | None = None

    def message(self) -> str:
        """The problem in one line."""
        key = shown(self.key, limit=80)
        match self.problem:
            case "missing":
                return f"missing {key} (shape {_fmt(self.expected)})"
            case "unexpected":
                return f"unexpected {key} (shape {_fmt(self.found)})"
        return f"wrong shape {key}: expected {_fmt(self.expected)}, found {_fmt(self.found)}"

    def to_json(self) -> dict[str, Any]:
        """The problem as JSON-ready values."""
        return {
            "key": self.key,
            "problem": self.problem,
            "expected": list(self.expected) if self.expected is not None else None,
            "found": list(self.found) if self.found is not None else None,
        }


@dataclass(frozen=True, slots=True)
class Mismatch:
    """The state_dict does not fit the declared options: every key that differs, and a hint."""

    options: LeNetOptions
    problems: list[KeyProblem]
    hint: str | None = None

    def message(self) -> str:
        """The whole report, one problem per line."""
        lines = [f"The weights do not fit LeNet-5 with {self.options.describe()}:"]
        lines += [f"- {problem.message()}" for problem in self.problems]
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


def _fmt(shape: Shape | None) -> str:
    return "(" + ", ".join(str(n) for n in shape or ()) + ")"


def match_state_dict(
    options: LeNetOptions, state: Mapping[str, torch.Tensor]
) -> Matched | Mismatch:
    """Fit a state_dict to the options: canonical names, or a key-by-key report of what differs."""
    result = _match(options, state)
    if isinstance(result, Matched):
        return result
    return replace(result, hint=_hint(options, state))


def _match(options: LeNetOptions, state: Mapping[str, torch.Tensor]) -> Matched | Mismatch:
    notes: list[str] = []
    unwrapped = _unwrap(state, notes)
    renamed = _rename_layers(options, unwrapped, notes)
    problems = _problems(options, renamed)
    if not problems:
        return Matched(_complete(options, renamed, notes), notes)
    ordered = _rename_in_order(options, unwrapped)
    if ordered is not None:
        note = "keys renamed to the canonical ones by their order, as every shape agrees"
        return Matched(_complete(options, ordered, [note]), [note])
    return Mismatch(options, problems)


def _unwrap(state: Mapping[str, torch.Tensor], notes: list[str]) -> dict[str, torch.Tensor]:
    """Drop a prefix every key carries (DataParallel's `module.`, torch.compile's `_orig_mod.`)."""
    for prefix in _WRAPPERS:
        if state and all(key.startswith(prefix) for key in state):
            notes.append(f"the prefix {prefix!r} was removed from every key")
            return {key.removeprefix(prefix): value for key, value in state.items()}
    return dict(state)


def _groups(state: Mapping[str, torch.Tensor]) -> dict[str, dict[str, torch.Tensor]]:
    groups: dict[str, dict[str, torch.Tensor]] = {}
    for key, value in state.items():
        layer, _, suffix = key.rpartition(".")
        groups.setdefault(layer, {})[suffix] = value
    return groups


def _signature_fits(expected: Mapping[str, Shape], found: Mapping[str, torch.Tensor]) -> bool:
    """Same tensors and shapes, allowing a missing bias or batch counter (both can be filled)."""
    optional = {"bias", _BN_COUNTER} if "running_mean" not in expected else {_BN_COUNTER}
    required = set(expected) - optional
    if not required <= set(found) <= set(expected):
        return False
    return all(tuple(found[suffix].shape) == expected[suffix] for suffix in found)


def _rename_layers(
    options: LeNetOptions, state: dict[str, torch.Tensor], notes: list[str]
) -> dict[str, torch.Tensor]:
    """Give canonical names to layers named otherwise whose tensors fit a canonical layer."""
    layers = _layer_shapes(options)
    groups = _groups(state)
    free = [name for name in layers if name not in groups]
    renames: dict[str, str] = {}
    for prefix, tensors in groups.items():
        if prefix in layers:
            continue
        fits = [name for name in free if _signature_fits(layers[name], tensors)]
        if len(fits) == 1:
            renames[prefix] = fits[0]
            free.remove(fits[0])
    if renames:
        pairs = ", ".join(f"{shown(old, limit=40)} -> {new}" for old, new in renames.items())
        notes.append(f"layers renamed to the canonical names by their shapes: {pairs}")
    return {
        f"{renames.get(prefix, prefix)}.{suffix}": value
        for prefix, tensors in groups.items()
        for suffix, value in tensors.items()
    }


def _problems(options: LeNetOptions, state: Mapping[str, torch.Tensor]) -> list[KeyProblem]:
    expected = expected_shapes(options)
    problems: list[KeyProblem] = []
    for key, shape in expected.items():
        if key not in state:
            if not _fillable(key, state):
                problems.append(KeyProblem(key, "missing", expected=shape))
        elif tuple(state[key].shape) != shape:
            problems.append(KeyProblem(key, "wrong shape", shape, tuple(state[key].shape)))
    problems += [
        KeyProblem(key, "unexpected", found=tuple(value.shape))
        for key, value in state.items()
        if key not in expected
    ]
    return problems


def _fillable(key: str, state: Mapping[str, torch.Tensor]) -> bool:
    """A bias-free layer is a zero bias; a batch counter is not used in evaluation."""
    layer, _, suffix = key.rpartition(".")
    if suffix == _BN_COUNTER:
        return True
    return suffix == "bias" and layer in _WEIGHTED and f"{layer}.weight" in state


def _complete(
    options: LeNetOptions, state: dict[str, torch.Tensor], notes: list[str]
) -> dict[str, torch.Tensor]:
    """Fill what `_fillable` allows, in canonical order."""
    complete: dict[str, torch.Tensor] = {}
    for key, shape in expected_shapes(options).items():
        if key in state:
            complete[key] = state[key]
        elif key.endswith(_BN_COUNTER):
            complete[key] = torch.tensor(0, dtype=torch.int64)
        else:
            complete[key] = torch.zeros(shape)
            notes.append(f"{key.rpartition('.')[0]} has no bias: evaluated with a zero bias")
    return complete


def _rename_in_order(
    options: LeNetOptions, state: Mapping[str, torch.Tensor]
) -> dict[str, torch.Tensor] | None:
    """Canonical names by position, when the shapes agree one by one (custom tensor names)."""
    expected = {k: s for k, s in expected_shapes(options).items() if not k.endswith(_BN_COUNTER)}
    found = [(k, v) for k, v in state.items() if not k.endswith(_BN_COUNTER)]
    if len(found) != len(expected):
        return None
    pairs = list(zip(expected.items(), found, strict=True))
    if any(tuple(value.shape) != shape for (_, shape), (_, value) in pairs):
        return None
    return {key: value for (key, _), (_, value) in pairs}


def _hint(options: LeNetOptions, state: Mapping[str, torch.Tensor]) -> str | None:
    """When the weights fit other options, say which."""
    declared = options.to_json() | {"padding": None, "batchnorm": None}
    inferred, _ = infer_options(state, declared=declared)
    candidates = {replace(options, padding=inferred.padding, batchnorm=inferred.batchnorm)}
    for candidate in candidates - {options}:
        if isinstance(_match(candidate, state), Matched):
            fits = f"padding {candidate.padding}, batch norm {candidate.batchnorm}"
            return f"These weights fit {fits}: declare those options, or leave them out."
    return None


# ---------------------------------------------------------------- inferring options


def infer_options(
    state: Mapping[str, torch.Tensor], *, declared: Mapping[str, Any] | None = None
) -> tuple[LeNetOptions, list[str]]:
    """Options from the weights where they show, declared or default where they cannot."""
    given = {key: value for key, value in (declared or {}).items() if value is not None}
    notes: list[str] = []
    values: dict[str, Any] = {}
    values["padding"] = given.get("padding", _infer_padding(state, notes))
    activation = given.get("activation", "relu")
    values["batchnorm"] = given.get("batchnorm", _infer_batchnorm(state, activation, notes))
    for name, default in (("pool", "max"), ("activation", "relu"), ("dropout", ())):
        values[name] = given.get(name, default)
        if name not in given:
            notes.append(_UNSEEN[name].format(default=default or "none"))
    values["dropout"] = tuple(values["dropout"])
    return LeNetOptions(**values), notes


_UNSEEN = {
    "pool": "max or average pooling cannot be seen in weights: {default} pooling assumed",
    "activation": "the activation cannot be seen in weights: {default} assumed",
    "dropout": "dropout leaves no weights: {default} assumed; declare it if you used it",
}


def _infer_padding(state: Mapping[str, torch.Tensor], notes: list[str]) -> int:
    widths = {int(v.shape[1]) for v in state.values() if v.dim() == 2 and v.shape[0] == 120}
    for padding in PADDINGS:
        flatten = LeNetOptions(padding=padding).flatten
        if widths == {flatten}:
            notes.append(f"conv1 padding {padding} inferred from fc1's {flatten} inputs")
            return padding
    notes.append("fc1 (120 outputs from 400 or 256 inputs) not found: padding 2 assumed")
    return 2


def _infer_batchnorm(
    state: Mapping[str, torch.Tensor], activation: str, notes: list[str]
) -> BatchNorm:
    means = [v for k, v in state.items() if k.endswith("running_mean")]
    variances = [v for k, v in state.items() if k.endswith("running_var")]
    if not means:
        notes.append("no batch-norm running statistics found: no batch norm")
        return "none"
    # Statistics of activations are bounded: ReLU outputs have non-negative means, tanh
    # outputs lie in (-1, 1); statistics of pre-activations are not.
    if activation == "relu":
        after = all(bool((m >= 0).all()) for m in means)
    else:
        after = all(bool((m.abs() < 1).all()) for m in means) and all(
            bool((v <= 1).all()) for v in variances
        )
    place: BatchNorm = "after" if after else "before"
    notes.append(f"batch norm found; {place} the activation, judged from its running statistics")
    return place
