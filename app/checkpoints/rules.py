"""Grading a re-evaluated checkpoint by its field's rules: accuracy, claims, requirements."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import torch

from app.checkpoints.architecture import BatchNorm, LeNetOptions
from app.checkpoints.evaluate import Evaluation
from app.grading.result import FieldResult, Verdict
from app.problemsets.schema import CheckpointSpec

FindingName = Literal[
    "below_threshold",
    "integrity_test",
    "integrity_train",
    "train_not_measured",
    "batchnorm_missing",
    "running_stats_untrained",
    "batchnorm_present",
    "dropout_not_declared",
    "dropout_declared",
    "weight_decay_not_visible",
]
# Findings that mean the upload is not the model the field asks for: no credit.
WRONG_MODEL: frozenset[FindingName] = frozenset(
    {
        "batchnorm_missing",
        "running_stats_untrained",
        "batchnorm_present",
        "dropout_not_declared",
        "dropout_declared",
    }
)
# Findings an instructor should look at; they do not change the score.
FLAGS: frozenset[FindingName] = frozenset({"integrity_test", "integrity_train"})

# Every student-facing message of this module.
MESSAGES: dict[FindingName, str] = {
    "below_threshold": "Test accuracy {measured} is below the {threshold} that earns full credit.",
    "integrity_test": (
        "You claimed a test accuracy of {claimed}, but the model measures {measured}: more than "
        "{tolerance} points apart. This is flagged for your instructor."
    ),
    "integrity_train": (
        "You claimed a train accuracy of {claimed}, but the model measures {measured} on the "
        "60,000 training images: more than {tolerance} points apart. This is flagged for your "
        "instructor."
    ),
    "train_not_measured": "The claimed train accuracy was not checked: it was not measured.",
    "batchnorm_missing": "This field asks for batch normalization, but the model has none.",
    "running_stats_untrained": (
        "The batch-norm running statistics were never updated (means 0, variances 1): "
        "the model was not trained in train mode, or the statistics were reset."
    ),
    "batchnorm_present": "This field asks for a model without batch normalization.",
    "dropout_not_declared": (
        "This field asks for dropout, but none was declared: dropout leaves no weights, so "
        "declare where it was and its rate."
    ),
    "dropout_declared": "This field asks for a model without dropout, but dropout was declared.",
    "weight_decay_not_visible": (
        "Weight decay leaves no trace that can be checked in the weights alone: it is taken on "
        "trust, and this model is graded on its accuracy."
    ),
}


@dataclass(frozen=True, slots=True)
class Claims:
    """What the student reported, as fractions in [0, 1]."""

    test_accuracy: float | None = None
    train_accuracy: float | None = None

    def __post_init__(self) -> None:
        for value in (self.test_accuracy, self.train_accuracy):
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValueError("a claimed accuracy is a fraction in [0, 1]")


@dataclass(frozen=True, slots=True)
class ModelFacts:
    """What the weights and the declared options show about the model."""

    batchnorm: BatchNorm
    running_stats_updated: bool
    dropout: tuple[float, ...] = ()

    @classmethod
    def of(cls, options: LeNetOptions, state: Mapping[str, torch.Tensor]) -> "ModelFacts":
        """The facts of a matched (canonically named) state_dict."""
        return cls(options.batchnorm, _stats_updated(state), options.dropout)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "batchnorm": self.batchnorm,
            "running_stats_updated": self.running_stats_updated,
            "dropout": list(self.dropout),
        }


def _stats_updated(state: Mapping[str, torch.Tensor]) -> bool:
    """False when some batch norm still holds its initial statistics (means 0, variances 1)."""
    for key, mean in state.items():
        if key.endswith(".running_mean"):
            variance = state.get(key.removesuffix("running_mean") + "running_var")
            if not bool(mean.any()) and variance is not None and bool((variance == 1).all()):
                return False
    return True


@dataclass(frozen=True, slots=True)
class Finding:
    """One named outcome of a rule, with its message."""

    name: FindingName
    message: str


@dataclass(frozen=True, slots=True)
class CheckpointGrade:
    """The grade of one checkpoint field."""

    verdict: Verdict
    score: float
    max_score: float
    summary: str
    findings: tuple[Finding, ...]

    @property
    def flagged(self) -> bool:
        """Whether an instructor should look at this upload."""
        return any(finding.name in FLAGS for finding in self.findings)

    @property
    def feedback(self) -> str:
        """The summary, then every finding's message."""
        return " ".join([self.summary, *(finding.message for finding in self.findings)])

    def field_result(self, field: str) -> FieldResult:
        """As the grading engine reports a field."""
        return FieldResult(
            field=field,
            verdict=self.verdict,
            score=self.score,
            max_score=self.max_score,
            feedback=self.feedback,
            parsed=None,
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "verdict": self.verdict.value,
            "score": self.score,
            "max_score": self.max_score,
            "summary": self.summary,
            "flagged": self.flagged,
            "findings": [{"name": f.name, "message": f.message} for f in self.findings],
        }


def grade_checkpoint(
    spec: CheckpointSpec,
    *,
    test: Evaluation,
    train: Evaluation | None,
    claims: Claims,
    facts: ModelFacts,
    max_score: float,
) -> CheckpointGrade:
    """Verdict, score and named feedback for a checkpoint measured on the test (and train) set."""
    findings = [
        *_requirements(spec, facts),
        *_accuracy(spec, test),
        *_integrity(spec, test, train, claims),
        *(Finding(note, MESSAGES[note]) for note in spec.notes),
    ]
    credit = 0.0 if any(f.name in WRONG_MODEL for f in findings) else _credit(spec, test.accuracy)
    return CheckpointGrade(
        verdict=_verdict(credit),
        score=round(credit * max_score, 4),
        max_score=max_score,
        summary=_summary(test, train),
        findings=tuple(findings),
    )


def _requirements(spec: CheckpointSpec, facts: ModelFacts) -> list[Finding]:
    names: list[FindingName] = []
    has_batchnorm = facts.batchnorm != "none"
    if spec.requires.batchnorm is True and not has_batchnorm:
        names.append("batchnorm_missing")
    if spec.requires.batchnorm is True and has_batchnorm and not facts.running_stats_updated:
        names.append("running_stats_untrained")
    if spec.requires.batchnorm is False and has_batchnorm:
        names.append("batchnorm_present")
    has_dropout = any(rate > 0 for rate in facts.dropout)
    if spec.requires.dropout is True and not has_dropout:
        names.append("dropout_not_declared")
    if spec.requires.dropout is False and has_dropout:
        names.append("dropout_declared")
    return [Finding(name, MESSAGES[name]) for name in names]


def _accuracy(spec: CheckpointSpec, test: Evaluation) -> list[Finding]:
    if test.accuracy >= spec.threshold:
        return []
    message = MESSAGES["below_threshold"].format(
        measured=_percent(test.accuracy), threshold=_percent(spec.threshold)
    )
    return [Finding("below_threshold", message)]


def _integrity(
    spec: CheckpointSpec, test: Evaluation, train: Evaluation | None, claims: Claims
) -> list[Finding]:
    findings = []
    if claims.test_accuracy is not None:
        findings += _claim_check("integrity_test", claims.test_accuracy, test, spec.tolerance)
    if claims.train_accuracy is not None and train is None:
        findings.append(Finding("train_not_measured", MESSAGES["train_not_measured"]))
    elif claims.train_accuracy is not None and train is not None:
        findings += _claim_check(
            "integrity_train", claims.train_accuracy, train, spec.train_tolerance
        )
    return findings


def _claim_check(
    name: FindingName, claimed: float, measured: Evaluation, tolerance: float
) -> list[Finding]:
    # Slack for binary fractions: 0.8912 - 0.8862 is not exactly 0.005 in floating point.
    if abs(claimed - measured.accuracy) <= tolerance + 1e-9:
        return []
    message = MESSAGES[name].format(
        claimed=_percent(claimed),
        measured=_percent(measured.accuracy),
        tolerance=f"{tolerance * 100:g}",
    )
    return [Finding(name, message)]


def _credit(spec: CheckpointSpec, accuracy: float) -> float:
    """Full at the threshold, none at the floor, linear between."""
    if accuracy >= spec.threshold:
        return 1.0
    return max(0.0, (accuracy - spec.floor) / (spec.threshold - spec.floor))


def _verdict(credit: float) -> Verdict:
    if credit >= 1.0:
        return Verdict.CORRECT
    return Verdict.PARTIAL if credit > 0 else Verdict.INCORRECT


def _summary(test: Evaluation, train: Evaluation | None) -> str:
    text = (
        f"Measured test accuracy {_percent(test.accuracy)} (95% CI {_percent(test.ci_low)} to "
        f"{_percent(test.ci_high)}) on {test.count:,} images"
    )
    if train is not None:
        text += f"; train accuracy {_percent(train.accuracy)} on {train.count:,} images"
    return text + "."


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.2f}%"
