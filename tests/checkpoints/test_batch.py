"""The stacked batch path predicts exactly what each model predicts alone."""

import itertools

import pytest
import torch

from app.checkpoints import batch
from app.checkpoints.architecture import LeNetOptions, Preprocessing, build
from app.checkpoints.batch import evaluate_many, predict_many
from app.checkpoints.dataset import LabeledImages
from app.checkpoints.evaluate import evaluate_model
from tests.checkpoints.trained import HALF, UNIT, USUAL, Trained, plain_predictions

CPU = torch.device("cpu")
IMAGES = 600
FAMILIES = [
    LeNetOptions(padding=padding, pool=pool, activation=activation, batchnorm=norm)
    for padding, pool, activation, norm in itertools.product(
        (0, 2), ("max", "avg"), ("relu", "tanh"), ("none", "before", "after")
    )
]


def random_states(options: LeNetOptions, count: int, *, seed: int = 0) -> list[dict]:
    """Freshly initialized models, with batch-norm statistics and affine terms made up."""
    states = []
    for index in range(count):
        torch.manual_seed(seed + index)
        model = build(options)
        for name, tensor in model.state_dict().items():
            norm = name.startswith("bn")
            if name.endswith("running_mean") or (norm and name.endswith(".bias")):
                tensor.normal_(0.0, 0.3)
            elif name.endswith("running_var") or (norm and name.endswith(".weight")):
                tensor.uniform_(0.5, 2.0)
        states.append({key: value.clone() for key, value in model.state_dict().items()})
    return states


def alone(
    options: LeNetOptions, preprocessing: Preprocessing, states: list[dict], images: torch.Tensor
) -> torch.Tensor:
    return torch.stack([plain_predictions(options, preprocessing, s, images) for s in states])


@pytest.mark.parametrize("options", FAMILIES, ids=lambda options: options.describe())
def test_every_family_predicts_as_each_model_alone(
    options: LeNetOptions, test_split: LabeledImages
) -> None:
    images = test_split.images[:IMAGES]
    states = random_states(options, 3)
    got = predict_many(states, options, USUAL, images, device=CPU, batch_size=250)
    assert torch.equal(got.classes, alone(options, USUAL, states, images))


def test_trained_checkpoints_are_measured_as_alone(
    trained: dict[str, Trained], test_split: LabeledImages
) -> None:
    for checkpoint in trained.values():
        states = [checkpoint.state, *perturbed(checkpoint.state, 3)]
        evaluations = evaluate_many(
            states,
            checkpoint.options,
            checkpoint.preprocessing,
            test_split.images,
            test_split.labels,
            device=CPU,
        )
        assert evaluations[0].accuracy == checkpoint.test_accuracy, checkpoint.name
        for state, evaluation in zip(states, evaluations, strict=True):
            model = build(checkpoint.options)
            model.load_state_dict(state)
            expected = evaluate_model(
                model,
                test_split.images,
                test_split.labels,
                checkpoint.preprocessing,
                device=CPU,
            )
            assert evaluation == expected, checkpoint.name


def perturbed(state: dict, count: int) -> list[dict]:
    generator = torch.Generator().manual_seed(1)
    return [
        {
            key: value * (1 + 0.05 * torch.randn(value.shape, generator=generator))
            if value.is_floating_point() and "running_var" not in key
            else value
            for key, value in state.items()
        }
        for _ in range(count)
    ]


@pytest.mark.parametrize(
    ("models_per_chunk", "sub_batch", "batch_size"),
    [(1, 1000, 1000), (2, 7, 300), (4, 100, 128), (64, 1, 50)],
)
def test_chunking_changes_nothing(
    models_per_chunk: int, sub_batch: int, batch_size: int, test_split: LabeledImages
) -> None:
    options = LeNetOptions(batchnorm="before")
    images = test_split.images[:IMAGES]
    states = random_states(options, 5)
    got = predict_many(
        states,
        options,
        HALF,
        images,
        device=CPU,
        batch_size=batch_size,
        models_per_chunk=models_per_chunk,
        sub_batch=sub_batch,
    )
    assert got.classes.shape == (5, IMAGES)
    assert torch.equal(got.classes, alone(options, HALF, states, images))


@pytest.mark.parametrize(("rtol", "rechecked"), [(-1.0, 0), (10.0, 3 * 3)])
def test_close_calls_are_rechecked_alone(
    rtol: float, rechecked: int, test_split: LabeledImages, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never re-checking still predicts right here; re-checking every batch changes nothing."""
    monkeypatch.setattr(batch, "MARGIN_RTOL", rtol)
    options = LeNetOptions(activation="tanh")
    images = test_split.images[:IMAGES]
    states = random_states(options, 3)
    got = predict_many(states, options, UNIT, images, device=CPU, batch_size=200)
    assert got.rechecked == rechecked
    assert torch.equal(got.classes, alone(options, UNIT, states, images))


def test_a_tie_is_decided_as_the_model_alone_decides(test_split: LabeledImages) -> None:
    options = LeNetOptions()
    images = test_split.images[:IMAGES]
    states = random_states(options, 2)
    # Classes 3 and 7 get the same logit on every image: only the lone model's argmax decides.
    for state in states:
        state["fc3.weight"][7] = state["fc3.weight"][3]
        state["fc3.bias"][7] = state["fc3.bias"][3] = 5.0
        state["fc3.bias"][[0, 1, 2, 4, 5, 6, 8, 9]] = -50.0
    got = predict_many(states, options, USUAL, images, device=CPU, batch_size=300)
    assert got.rechecked == 2 * 2
    assert torch.equal(got.classes, alone(options, USUAL, states, images))


def test_weights_of_other_float_types_are_evaluated_as_loaded(
    test_split: LabeledImages,
) -> None:
    options = LeNetOptions(batchnorm="after")
    images = test_split.images[:IMAGES]
    states = [
        {key: value.to(dtype) if value.is_floating_point() else value for key, value in s.items()}
        for s, dtype in zip(random_states(options, 2), (torch.float64, torch.bfloat16), strict=True)
    ]
    got = predict_many(states, options, USUAL, images, device=CPU)
    assert torch.equal(got.classes, alone(options, USUAL, states, images))


@pytest.mark.parametrize(("models", "images"), [(0, 10), (2, 0), (0, 0)])
def test_nothing_to_evaluate(models: int, images: int, test_split: LabeledImages) -> None:
    options = LeNetOptions()
    states = random_states(options, models)
    got = predict_many(states, options, USUAL, test_split.images[:images], device=CPU)
    assert got.classes.shape == (models, images)
    assert got.rechecked == 0


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_predicts_as_each_model_alone_on_cuda(test_split: LabeledImages) -> None:
    options = LeNetOptions(batchnorm="after")
    states = random_states(options, 4)
    cuda = torch.device("cuda")
    expected = []
    for state in states:
        model = build(options)
        model.load_state_dict(state)
        expected.append(
            evaluate_model(model, test_split.images, test_split.labels, USUAL, device=cuda)
        )
    got = evaluate_many(states, options, USUAL, test_split.images, test_split.labels, device=cuda)
    assert got == expected
