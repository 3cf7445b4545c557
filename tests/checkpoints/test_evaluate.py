"""Evaluation: the service's measurement against an independent plain loop, and its statistics."""

import json
import math
from statistics import NormalDist

import pytest
import torch

from app.checkpoints.architecture import Matched, build, match_state_dict
from app.checkpoints.dataset import LabeledImages
from app.checkpoints.evaluate import (
    CPU_GPU_TOLERANCE,
    DeviceUnavailable,
    Evaluation,
    evaluate_model,
    pick_device,
    predict,
    summarize,
    wilson_interval,
)
from tests.checkpoints.trained import Trained

CPU = torch.device("cpu")


def model_of(checkpoint: Trained) -> torch.nn.Module:
    matched = match_state_dict(checkpoint.options, checkpoint.state)
    assert isinstance(matched, Matched)
    model = build(checkpoint.options)
    model.load_state_dict(matched.state)
    return model


def test_honest_checkpoints_measure_what_a_plain_loop_measures(
    trained: dict[str, Trained], test_split: LabeledImages
) -> None:
    for checkpoint in trained.values():
        model = model_of(checkpoint)
        images, labels = test_split.images, test_split.labels
        predictions = predict(model, images, checkpoint.preprocessing, device=CPU)
        assert torch.equal(predictions, checkpoint.test_predictions), checkpoint.name
        evaluation = evaluate_model(model, images, labels, checkpoint.preprocessing, device=CPU)
        assert evaluation.accuracy == checkpoint.test_accuracy
        assert evaluation.count == 10_000
        # Briefly trained, yet well above chance: the checkpoints are real models.
        assert evaluation.accuracy > 0.6, checkpoint.name


def test_the_confusion_matrix_and_per_class_accuracy_agree(
    trained: dict[str, Trained], test_split: LabeledImages
) -> None:
    checkpoint = trained["plain"]
    evaluation = evaluate_model(
        model_of(checkpoint),
        test_split.images,
        test_split.labels,
        checkpoint.preprocessing,
        device=CPU,
    )
    confusion = torch.tensor(evaluation.confusion)
    assert confusion.shape == (10, 10)
    assert confusion.sum().item() == 10_000
    assert confusion.sum(dim=1).tolist() == [1000] * 10
    assert confusion.diagonal().sum().item() / 10_000 == evaluation.accuracy
    for label in range(10):
        expected = ((checkpoint.test_predictions == label) & (test_split.labels == label)).sum()
        assert evaluation.per_class[label] == expected.item() / 1000
        predicted = (checkpoint.test_predictions == label).sum().item()
        assert confusion[:, label].sum().item() == predicted
    assert evaluation.ci_low < evaluation.accuracy < evaluation.ci_high


def test_a_smaller_batch_gives_the_same_predictions(
    trained: dict[str, Trained], test_split: LabeledImages
) -> None:
    checkpoint = trained["bn_after"]
    images = test_split.images[:2000]
    small = predict(
        model_of(checkpoint), images, checkpoint.preprocessing, device=CPU, batch_size=250
    )
    assert torch.equal(small, checkpoint.test_predictions[:2000])


def wilson_direct(correct: int, count: int) -> tuple[float, float]:
    """The Wilson interval as usually printed: (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)."""
    z = NormalDist().inv_cdf(0.975)
    p = correct / count
    denominator = 1 + z**2 / count
    center = p + z**2 / (2 * count)
    spread = z * math.sqrt(p * (1 - p) / count + z**2 / (4 * count**2))
    return (center - spread) / denominator, (center + spread) / denominator


@pytest.mark.parametrize(
    ("correct", "count"),
    [(8912, 10_000), (5000, 10_000), (9999, 10_000), (55_000, 60_000), (3, 7), (1, 1)],
)
def test_the_wilson_interval_matches_the_formula(correct: int, count: int) -> None:
    low, high = wilson_interval(correct, count)
    expected_low, expected_high = wilson_direct(correct, count)
    assert low == pytest.approx(expected_low, abs=1e-12)
    assert high == pytest.approx(expected_high, abs=1e-12)
    assert low <= correct / count <= high


def test_the_wilson_interval_at_the_edges() -> None:
    assert wilson_interval(0, 10_000)[0] == 0.0
    assert wilson_interval(10_000, 10_000)[1] == 1.0
    assert 0 < wilson_interval(0, 10_000)[1] < 0.001
    # By hand, z = 1.96: 89.12% of 10,000 is 88.495% to 89.715%.
    low, high = wilson_interval(8912, 10_000)
    assert (low, high) == (pytest.approx(0.88495, abs=2e-5), pytest.approx(0.89715, abs=2e-5))


def test_summarize_a_handmade_case() -> None:
    evaluation = summarize(torch.tensor([0, 1, 1, 3]), torch.tensor([0, 0, 1, 3]))
    assert evaluation.accuracy == 0.75
    assert evaluation.per_class[:4] == (0.5, 1.0, None, 1.0)
    assert evaluation.confusion[0][:2] == (1, 1)
    assert sum(map(sum, evaluation.confusion)) == 4


def test_an_evaluation_travels_as_json() -> None:
    evaluation = summarize(torch.tensor([0, 1, 1]), torch.tensor([0, 0, 1]))
    text = json.dumps(evaluation.to_json(), allow_nan=False)
    assert Evaluation.from_json(json.loads(text)) == evaluation


@pytest.mark.parametrize(
    ("setting", "cuda", "expected"),
    [
        ("cpu", False, "cpu"),
        ("cpu", True, "cpu"),
        ("auto", False, "cpu"),
        ("auto", True, "cuda"),
        ("cuda", True, "cuda"),
    ],
)
def test_pick_device(
    setting: str, cuda: bool, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    assert pick_device(setting) == torch.device(expected)


def test_cuda_without_a_gpu_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(DeviceUnavailable, match="no CUDA device"):
        pick_device("cuda")


@pytest.mark.parametrize("setting", ["gpu", "", "CUDA", "cuda:0", "cpu; rm -rf /", "mps"])
def test_unknown_device_settings_are_refused(setting: str) -> None:
    with pytest.raises(ValueError, match="auto, cpu, cuda"):
        pick_device(setting)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cpu_and_gpu_agree_within_the_stated_tolerance(
    trained: dict[str, Trained], test_split: LabeledImages
) -> None:
    for checkpoint in trained.values():
        on_gpu = evaluate_model(
            model_of(checkpoint),
            test_split.images,
            test_split.labels,
            checkpoint.preprocessing,
            device=torch.device("cuda"),
        )
        assert abs(on_gpu.accuracy - checkpoint.test_accuracy) <= CPU_GPU_TOLERANCE, checkpoint.name
