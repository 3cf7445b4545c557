"""The LeNet-5 family: shapes against torch, a forward pass per option combination, fitting and
inferring options from state_dicts."""

import itertools
from collections.abc import Mapping

import pytest
import torch
from torch.nn import functional

from app.checkpoints.architecture import (
    ACTIVATIONS,
    BATCHNORMS,
    PADDINGS,
    POOLS,
    KeyProblem,
    LeNetOptions,
    Matched,
    Mismatch,
    Preprocessing,
    build,
    expected_shapes,
    infer_options,
    match_state_dict,
)
from app.checkpoints.dataset import LabeledImages
from tests.checkpoints.trained import Trained

DROPOUTS = [(), (0.5,), (0.0, 0.3), (0.25, 0.7)]
ALL_OPTIONS = [
    LeNetOptions(padding=p, pool=o, activation=a, batchnorm=b, dropout=d)
    for p, o, a, b, d in itertools.product(PADDINGS, POOLS, ACTIVATIONS, BATCHNORMS, DROPOUTS)
]
PLAIN = LeNetOptions()
BN = LeNetOptions(batchnorm="before")


def reference_forward(
    options: LeNetOptions, state: Mapping[str, torch.Tensor], x: torch.Tensor
) -> torch.Tensor:
    """LeNet-5 in evaluation mode written with torch.nn.functional, independently of `build`."""
    act = torch.relu if options.activation == "relu" else torch.tanh
    pool = functional.max_pool2d if options.pool == "max" else functional.avg_pool2d

    def norm(x: torch.Tensor, name: str) -> torch.Tensor:
        s = {k: state[f"{name}.{k}"] for k in ("running_mean", "running_var", "weight", "bias")}
        return functional.batch_norm(x, s["running_mean"], s["running_var"], s["weight"], s["bias"])

    def block(x: torch.Tensor, name: str) -> torch.Tensor:
        if options.batchnorm == "before":
            return act(norm(x, name))
        if options.batchnorm == "after":
            return norm(act(x), name)
        return act(x)

    x = functional.conv2d(x, state["conv1.weight"], state["conv1.bias"], padding=options.padding)
    x = pool(block(x, "bn1"), 2)
    x = pool(block(functional.conv2d(x, state["conv2.weight"], state["conv2.bias"]), "bn2"), 2)
    x = block(functional.linear(x.flatten(1), state["fc1.weight"], state["fc1.bias"]), "bn3")
    x = block(functional.linear(x, state["fc2.weight"], state["fc2.bias"]), "bn4")
    return functional.linear(x, state["fc3.weight"], state["fc3.bias"])


def randomized(options: LeNetOptions, seed: int = 0) -> dict[str, torch.Tensor]:
    """A state_dict with random weights and batch-norm statistics, so every term matters."""
    generator = torch.Generator().manual_seed(seed)
    state = build(options).state_dict()
    for key, value in state.items():
        if value.is_floating_point():
            noise = torch.rand(value.shape, generator=generator)
            state[key] = noise + 0.5 if key.endswith("running_var") else noise - 0.5
    return state


@pytest.fixture(scope="module")
def batch(test_split: LabeledImages) -> torch.Tensor:
    return Preprocessing(mean=0.2860, std=0.3530).apply(test_split.images[:32])


@pytest.mark.parametrize("options", ALL_OPTIONS, ids=str)
def test_every_option_combination_builds_and_runs(
    options: LeNetOptions, batch: torch.Tensor
) -> None:
    model = build(options)
    shapes = {key: tuple(value.shape) for key, value in model.state_dict().items()}
    assert shapes == expected_shapes(options)
    assert list(shapes) == list(expected_shapes(options))
    state = randomized(options)
    model.load_state_dict(state)
    with torch.inference_mode():
        logits = model.eval()(batch)
        torch.testing.assert_close(logits, reference_forward(options, state, batch))
    model.train()
    assert model(batch).shape == (32, 10)


@pytest.mark.parametrize(
    ("options", "parameters"),
    [
        # The classic LeNet-5 count (Caffe, 32x32 inputs) is 61,706; padding 0 shrinks fc1.
        (LeNetOptions(padding=2), 61_706),
        (LeNetOptions(padding=0), 61_706 - 120 * (400 - 256)),
        (LeNetOptions(batchnorm="after"), 61_706 + 2 * (6 + 16 + 120 + 84)),
        (LeNetOptions(dropout=(0.5, 0.5)), 61_706),
    ],
    ids=str,
)
def test_parameter_counts(options: LeNetOptions, parameters: int) -> None:
    assert sum(p.numel() for p in build(options).parameters()) == parameters


def test_dropout_is_active_in_training_and_recorded() -> None:
    model = build(LeNetOptions(dropout=(0.0, 0.3)))
    assert (model.drop1.p, model.drop2.p) == (0.0, 0.3)
    assert "no dropout" in PLAIN.describe()
    assert "dropout 0.3 after fc2" in LeNetOptions(dropout=(0.0, 0.3)).describe()


@pytest.mark.parametrize(
    "values",
    [
        {"padding": 1},
        {"padding": True},
        {"padding": "2"},
        {"pool": "min"},
        {"activation": "__import__('os')"},
        {"activation": "sigmoid"},
        {"batchnorm": True},
        {"batchnorm": "both"},
        {"dropout": (1.0,)},
        {"dropout": (-0.1,)},
        {"dropout": (0.1, 0.2, 0.3)},
        {"dropout": ("0.5",)},
        {"dropout": (float("nan"),)},
        {"dropout": [0.5]},
    ],
    ids=str,
)
def test_options_refuse_what_the_family_does_not_have(values: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        LeNetOptions(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "values",
    [
        {"std": 0},
        {"std": -0.3},
        {"mean": float("nan")},
        {"std": float("inf")},
        {"mean": 1e9},
        {"mean": True},
        {"mean": "0.5"},
    ],
    ids=str,
)
def test_preprocessing_refuses_unusable_numbers(values: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Preprocessing(**values)  # type: ignore[arg-type]


def test_preprocessing_scales_then_normalizes() -> None:
    images = torch.tensor([[[0, 255]]], dtype=torch.uint8)
    assert Preprocessing().apply(images).tolist() == [[[[0.0, 1.0]]]]
    assert Preprocessing(mean=0.5, std=0.5).apply(images).tolist() == [[[[-1.0, 1.0]]]]


def test_options_travel_as_json() -> None:
    options = LeNetOptions(padding=0, pool="avg", batchnorm="after", dropout=(0.0, 0.3))
    assert LeNetOptions.from_json(options.to_json()) == options
    assert Preprocessing.from_json({"mean": 0.5, "std": 0.5}) == Preprocessing(0.5, 0.5)
    with pytest.raises(ValueError, match="unknown option"):
        LeNetOptions.from_json({"padding": 2, "__class__": "x"})
    with pytest.raises(ValueError, match="list of rates"):
        LeNetOptions.from_json({"dropout": "0.5"})


# ---------------------------------------------------------------- match_state_dict


def state_of(options: LeNetOptions) -> dict[str, torch.Tensor]:
    return randomized(options, seed=1)


def test_a_canonical_state_dict_matches_as_it_is() -> None:
    state = state_of(PLAIN)
    matched = match_state_dict(PLAIN, state)
    assert isinstance(matched, Matched)
    assert matched.notes == []
    assert all(matched.state[key] is value for key, value in state.items())


@pytest.mark.parametrize(
    ("options", "change", "problems"),
    [
        (
            PLAIN,
            lambda s: s.pop("conv1.weight"),
            [KeyProblem("conv1.weight", "missing", expected=(6, 1, 5, 5))],
        ),
        (
            PLAIN,
            lambda s: s.update({"extra.weight": torch.zeros(3, 3)}),
            [KeyProblem("extra.weight", "unexpected", found=(3, 3))],
        ),
        (
            PLAIN,
            lambda s: s.update({"fc2.weight": torch.zeros(84, 100)}),
            [KeyProblem("fc2.weight", "wrong shape", (84, 120), (84, 100))],
        ),
        (
            BN,
            lambda s: [s.pop(f"bn{i}.running_{stat}") for i in (1, 2) for stat in ("mean", "var")],
            [
                KeyProblem("bn1.running_mean", "missing", expected=(6,)),
                KeyProblem("bn1.running_var", "missing", expected=(6,)),
                KeyProblem("bn2.running_mean", "missing", expected=(16,)),
                KeyProblem("bn2.running_var", "missing", expected=(16,)),
            ],
        ),
    ],
)
def test_mismatches_are_reported_key_by_key(
    options: LeNetOptions, change: object, problems: list[KeyProblem]
) -> None:
    state = state_of(options)
    change(state)  # type: ignore[operator]
    result = match_state_dict(options, state)
    assert isinstance(result, Mismatch)
    assert result.problems == problems
    for problem in problems:
        assert problem.message() in result.message()


def test_a_padding_mismatch_names_the_shape_and_the_options_that_fit() -> None:
    result = match_state_dict(PLAIN, state_of(LeNetOptions(padding=0)))
    assert isinstance(result, Mismatch)
    assert result.problems == [KeyProblem("fc1.weight", "wrong shape", (120, 400), (120, 256))]
    assert "wrong shape fc1.weight: expected (120, 400), found (120, 256)" in result.message()
    assert result.hint is not None and "padding 0" in result.hint


def test_batch_norm_weights_against_options_without_it() -> None:
    result = match_state_dict(PLAIN, state_of(LeNetOptions(batchnorm="after")))
    assert isinstance(result, Mismatch)
    assert {p.problem for p in result.problems} == {"unexpected"}
    assert len(result.problems) == 4 * 5
    assert result.hint is not None and "batch norm" in result.hint


def test_hostile_key_names_are_shown_escaped() -> None:
    state = state_of(PLAIN) | {"\u202eevil" + "x" * 500: torch.zeros(1)}
    result = match_state_dict(PLAIN, state)
    assert isinstance(result, Mismatch)
    assert "\u202e" not in result.message() and "x" * 100 not in result.message()


SEQUENTIAL_NAMES = {
    "conv1": "features.0",
    "bn1": "features.1",
    "conv2": "features.4",
    "bn2": "features.5",
    "fc1": "classifier.0",
    "bn3": "classifier.1",
    "fc2": "classifier.4",
    "bn4": "classifier.5",
    "fc3": "classifier.8",
}


@pytest.mark.parametrize("options", [PLAIN, BN, LeNetOptions(padding=0)], ids=str)
def test_layers_named_otherwise_are_renamed_by_their_shapes(options: LeNetOptions) -> None:
    state = state_of(options)
    renamed = {}
    for key in sorted(state):  # safetensors stores keys sorted, not in forward order
        layer, _, suffix = key.rpartition(".")
        renamed[f"{SEQUENTIAL_NAMES[layer]}.{suffix}"] = state[key]
    result = match_state_dict(options, renamed)
    assert isinstance(result, Matched)
    assert "features.0 -> conv1" in result.notes[0]
    assert list(result.state) == list(expected_shapes(options))
    assert all(torch.equal(result.state[key], state[key]) for key in state)


def test_custom_names_in_forward_order_are_renamed_by_position() -> None:
    state = state_of(PLAIN)
    custom = {f"t{index}": value for index, value in enumerate(state.values())}
    result = match_state_dict(PLAIN, custom)
    assert isinstance(result, Matched)
    assert "by their order" in result.notes[0]
    assert all(torch.equal(result.state[key], state[key]) for key in state)


def test_custom_names_with_a_shape_out_of_place_do_not_match() -> None:
    state = state_of(PLAIN)
    values = list(state.values())
    values[0], values[2] = values[2], values[0]
    assert isinstance(match_state_dict(PLAIN, {f"t{i}": v for i, v in enumerate(values)}), Mismatch)


def test_wrapper_prefixes_and_fillable_keys() -> None:
    state = state_of(BN)
    wrapped = {
        f"module.{key}": value
        for key, value in state.items()
        if not key.endswith("num_batches_tracked") and key != "conv2.bias"
    }
    result = match_state_dict(BN, wrapped)
    assert isinstance(result, Matched)
    assert any("'module.'" in note for note in result.notes)
    assert any("conv2 has no bias" in note for note in result.notes)
    assert torch.equal(result.state["conv2.bias"], torch.zeros(16))
    model = build(BN)
    model.load_state_dict(result.state, strict=True)


# ---------------------------------------------------------------- infer_options


@pytest.mark.parametrize(
    ("options", "padding", "batchnorm", "said"),
    [
        (LeNetOptions(padding=2), 2, "none", "400 inputs"),
        (LeNetOptions(padding=0), 0, "none", "256 inputs"),
        (LeNetOptions(batchnorm="before"), 2, "before", "batch norm found"),
    ],
    ids=str,
)
def test_inference_from_the_weights(
    options: LeNetOptions, padding: int, batchnorm: str, said: str
) -> None:
    inferred, notes = infer_options(state_of(options))
    assert (inferred.padding, inferred.batchnorm) == (padding, batchnorm)
    assert any(said in note for note in notes)


def test_what_weights_cannot_show_is_said_and_defaulted() -> None:
    inferred, notes = infer_options(state_of(PLAIN))
    assert (inferred.pool, inferred.activation, inferred.dropout) == ("max", "relu", ())
    text = " ".join(notes)
    assert "pooling cannot be seen in weights" in text
    assert "activation cannot be seen in weights" in text
    assert "dropout leaves no weights" in text


def test_declared_options_are_used_and_not_second_guessed() -> None:
    declared = {"pool": "avg", "activation": "tanh", "dropout": [0.5], "padding": None}
    inferred, notes = infer_options(state_of(LeNetOptions(padding=0)), declared=declared)
    assert inferred == LeNetOptions(padding=0, pool="avg", activation="tanh", dropout=(0.5,))
    assert not any("cannot be seen" in note or "dropout" in note for note in notes)


def test_no_fc1_falls_back_to_padding_2_and_says_so() -> None:
    inferred, notes = infer_options({"w": torch.zeros(3, 3)})
    assert inferred.padding == 2
    assert any("not found" in note for note in notes)


def test_trained_checkpoints_infer_their_own_options(trained: dict[str, Trained]) -> None:
    for checkpoint in trained.values():
        options = checkpoint.options
        declared = {"pool": options.pool, "activation": options.activation}
        inferred, _ = infer_options(
            checkpoint.state, declared=declared | {"dropout": options.dropout}
        )
        assert inferred == options, checkpoint.name
