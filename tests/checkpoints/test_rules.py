"""Grading rules for checkpoint fields: each named failure, the full-credit case, the problem file."""

from typing import Any

import pytest
import torch
from pydantic import ValidationError

from app.checkpoints.architecture import LeNetOptions, build
from app.checkpoints.evaluate import Evaluation, summarize
from app.checkpoints.rules import Claims, ModelFacts, grade_checkpoint
from app.grading.result import Verdict
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.schema import CheckpointSpec
from tests.checkpoints.trained import Trained

SPEC = CheckpointSpec(type="checkpoint", dataset="fashion-mnist")
BASELINE = CheckpointSpec.model_validate(
    {
        "type": "checkpoint",
        "dataset": "fashion-mnist",
        "requires": {"batchnorm": False, "dropout": False},
    }
)
WEIGHT_DECAY = BASELINE.model_copy(update={"notes": ["weight_decay_not_visible"]})
BATCHNORM = CheckpointSpec.model_validate(
    {"type": "checkpoint", "dataset": "fashion-mnist", "requires": {"batchnorm": True}}
)
DROPOUT = CheckpointSpec.model_validate(
    {"type": "checkpoint", "dataset": "fashion-mnist", "requires": {"dropout": True}}
)
PLAIN = ModelFacts(batchnorm="none", running_stats_updated=True)
WITH_BN = ModelFacts(batchnorm="after", running_stats_updated=True)
STALE_BN = ModelFacts(batchnorm="before", running_stats_updated=False)
WITH_DROPOUT = ModelFacts(batchnorm="none", running_stats_updated=True, dropout=(0.0, 0.3))


def measured(accuracy: float, count: int = 10_000) -> Evaluation:
    """An evaluation with this accuracy: the first `correct` images right, the rest wrong."""
    correct = round(accuracy * count)
    labels = torch.arange(count) % 10
    predictions = torch.where(torch.arange(count) < correct, labels, (labels + 1) % 10)
    return summarize(predictions, labels)


# (case, spec, test accuracy, train accuracy, claims, facts, verdict, credit, findings)
RULES: list[tuple[Any, ...]] = [
    (
        "full credit",
        BATCHNORM,
        0.9012,
        0.93,
        Claims(0.9012, 0.93),
        WITH_BN,
        Verdict.CORRECT,
        1.0,
        [],
    ),
    ("exactly at the threshold", SPEC, 0.88, None, Claims(0.88), PLAIN, Verdict.CORRECT, 1.0, []),
    (
        "claims within tolerance",
        SPEC,
        0.9,
        0.93,
        Claims(0.905, 0.949),
        PLAIN,
        Verdict.CORRECT,
        1.0,
        [],
    ),
    ("no claims", SPEC, 0.9, None, Claims(), PLAIN, Verdict.CORRECT, 1.0, []),
    (
        "below threshold",
        SPEC,
        0.85,
        None,
        Claims(0.85),
        PLAIN,
        Verdict.PARTIAL,
        0.35 / 0.38,
        ["below_threshold"],
    ),
    ("at the floor", SPEC, 0.5, None, Claims(), PLAIN, Verdict.INCORRECT, 0.0, ["below_threshold"]),
    ("chance level", SPEC, 0.1, None, Claims(), PLAIN, Verdict.INCORRECT, 0.0, ["below_threshold"]),
    (
        "test claim off",
        SPEC,
        0.9,
        None,
        Claims(0.9051),
        PLAIN,
        Verdict.CORRECT,
        1.0,
        ["integrity_test"],
    ),
    (
        "test claim far off",
        SPEC,
        0.7,
        None,
        Claims(0.9),
        PLAIN,
        Verdict.PARTIAL,
        0.2 / 0.38,
        ["below_threshold", "integrity_test"],
    ),
    (
        "train claim off",
        SPEC,
        0.9,
        0.92,
        Claims(0.9, 0.99),
        PLAIN,
        Verdict.CORRECT,
        1.0,
        ["integrity_train"],
    ),
    (
        "train claim unmeasured",
        SPEC,
        0.9,
        None,
        Claims(0.9, 0.95),
        PLAIN,
        Verdict.CORRECT,
        1.0,
        ["train_not_measured"],
    ),
    (
        "batch norm missing",
        BATCHNORM,
        0.9,
        None,
        Claims(0.9),
        PLAIN,
        Verdict.INCORRECT,
        0.0,
        ["batchnorm_missing"],
    ),
    (
        "running statistics untrained",
        BATCHNORM,
        0.9,
        None,
        Claims(),
        STALE_BN,
        Verdict.INCORRECT,
        0.0,
        ["running_stats_untrained"],
    ),
    (
        "batch norm where none belongs",
        BASELINE,
        0.9,
        None,
        Claims(),
        WITH_BN,
        Verdict.INCORRECT,
        0.0,
        ["batchnorm_present"],
    ),
    (
        "dropout not declared",
        DROPOUT,
        0.9,
        None,
        Claims(),
        PLAIN,
        Verdict.INCORRECT,
        0.0,
        ["dropout_not_declared"],
    ),
    (
        "dropout declared",
        BASELINE,
        0.9,
        None,
        Claims(),
        WITH_DROPOUT,
        Verdict.INCORRECT,
        0.0,
        ["dropout_declared"],
    ),
    ("dropout as asked", DROPOUT, 0.9, None, Claims(0.9), WITH_DROPOUT, Verdict.CORRECT, 1.0, []),
    (
        "weight decay note",
        WEIGHT_DECAY,
        0.9,
        None,
        Claims(0.9),
        PLAIN,
        Verdict.CORRECT,
        1.0,
        ["weight_decay_not_visible"],
    ),
]


@pytest.mark.parametrize(
    ("case", "spec", "test", "train", "claims", "facts", "verdict", "credit", "findings"),
    RULES,
    ids=[row[0] for row in RULES],
)
def test_rules(
    case: str,
    spec: CheckpointSpec,
    test: float,
    train: float | None,
    claims: Claims,
    facts: ModelFacts,
    verdict: Verdict,
    credit: float,
    findings: list[str],
) -> None:
    grade = grade_checkpoint(
        spec,
        test=measured(test),
        train=None if train is None else measured(train, 60_000),
        claims=claims,
        facts=facts,
        max_score=12.5,
    )
    assert [finding.name for finding in grade.findings] == findings
    assert grade.verdict == verdict
    assert grade.score == pytest.approx(credit * 12.5, abs=1e-4)
    assert grade.flagged == any(name.startswith("integrity") for name in findings)
    assert grade.feedback.startswith(f"Measured test accuracy {test * 100:.2f}%")
    assert all(finding.message in grade.feedback for finding in grade.findings)
    result = grade.field_result("q4.batchnorm")
    assert (result.verdict, result.score, result.max_score) == (verdict, grade.score, 12.5)


def test_messages_name_the_numbers() -> None:
    grade = grade_checkpoint(
        SPEC,
        test=measured(0.8512),
        train=measured(0.9, 60_000),
        claims=Claims(0.9, 0.99),
        facts=PLAIN,
        max_score=10,
    )
    text = grade.feedback
    assert "85.12%" in text and "88.00%" in text and "90.00%" in text and "99.00%" in text
    assert "0.5 points" in text and "2 points" in text and "60,000" in text
    assert grade.to_json()["flagged"] is True


@pytest.mark.parametrize("value", [-0.01, 1.01, 89.1, float("nan")])
def test_claims_are_fractions(value: float) -> None:
    with pytest.raises(ValueError):
        Claims(test_accuracy=value)


@pytest.mark.parametrize(
    "update",
    [
        {"threshold": 0.0},
        {"threshold": 1.5},
        {"floor": 0.9},
        {"tolerance": -0.1},
        {"requires": {"weight_decay": True}},
        {"requires": {"batchnorm": "yes please"}},
        {"notes": ["__import__('os')"]},
        {"unknown": 1},
    ],
    ids=str,
)
def test_a_bad_checkpoint_spec_is_refused(update: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        CheckpointSpec.model_validate({"type": "checkpoint", "dataset": "fashion-mnist", **update})


def test_the_problem_file_binds_the_rules_to_the_q4_fields() -> None:
    definition = ProblemCatalog().definition("dl-ex1")
    specs = {
        f.id: f.answer for q in definition.questions for f in q.fields if f.id.startswith("q4.")
    }
    assert set(specs) == {"q4.baseline", "q4.dropout", "q4.weight_decay", "q4.batchnorm"}
    assert all(isinstance(spec, CheckpointSpec) for spec in specs.values())
    assert all(spec.threshold == 0.88 and spec.tolerance == 0.005 for spec in specs.values())  # type: ignore[union-attr]
    assert specs["q4.batchnorm"].requires.batchnorm is True  # type: ignore[union-attr]
    assert specs["q4.dropout"].requires.dropout is True  # type: ignore[union-attr]
    assert specs["q4.baseline"].requires.model_dump() == {"batchnorm": False, "dropout": False}  # type: ignore[union-attr]
    assert specs["q4.weight_decay"].notes == ["weight_decay_not_visible"]  # type: ignore[union-attr]


def test_model_facts_of_trained_and_fresh_batch_norm(trained: dict[str, Trained]) -> None:
    checkpoint = trained["bn_after"]
    assert ModelFacts.of(checkpoint.options, checkpoint.state) == WITH_BN
    fresh = LeNetOptions(batchnorm="after")
    assert ModelFacts.of(fresh, build(fresh).state_dict()).running_stats_updated is False
    facts = ModelFacts.of(trained["tanh_dropout"].options, trained["tanh_dropout"].state)
    assert facts == WITH_DROPOUT
    assert facts.to_json() == {
        "batchnorm": "none",
        "running_stats_updated": True,
        "dropout": [0.0, 0.3],
    }
