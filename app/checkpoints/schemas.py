"""What the checkpoint routes read (a multipart form) and return (jobs and their outcome).

Claimed accuracies may be written as fractions or percentages: "0.891", "89.1" and "89.1%"
all mean 89.1 %. A value with "%" is a percentage; without, a value up to 1 is a fraction and
a value above 1 (up to 100) a percentage. They are stored and returned as fractions.
"""

import math
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.problemsets.schema import FIELD_ID

MAX_DROPOUT_RATES = 2
MAX_PREPROCESSING = 10.0
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_SHORT = 40


def _blank_is_none(value: object) -> object:
    """An empty form field reads as not given (browsers send empty inputs as "")."""
    if isinstance(value, str) and not value.strip():
        return None
    return value.strip() if isinstance(value, str) else value


def _number(text: str, what: str) -> float:
    if len(text) > _SHORT or not _NUMBER.match(text):
        raise ValueError(f"{what} must be a plain number such as 0.891 or 89.1%")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite")
    return value


def parse_accuracy(value: object) -> float | None:
    """An accuracy as a fraction in [0, 1], from a fraction or a percentage (see the module)."""
    value = _blank_is_none(value)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("an accuracy is a number such as 0.891, 89.1 or 89.1%")
    text = str(value)
    percent = text.endswith("%")
    number = _number(text.removesuffix("%").strip(), "an accuracy")
    if percent or number > 1:
        number /= 100
    if not 0 <= number <= 1:
        raise ValueError("an accuracy lies between 0 and 1 (or 0% and 100%)")
    return number


def parse_dropout(value: object) -> tuple[float, ...] | None:
    """Dropout rates after fc1 and fc2, as a comma list such as "0.3" or "0,0.3"."""
    # The field's type is a sequence, so form decoding hands over every value given for it.
    if isinstance(value, list | tuple):
        if len(value) > 1:
            raise ValueError("give dropout once, as a comma list such as 0,0.3")
        value = value[0] if value else None
    value = _blank_is_none(value)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("dropout is a comma list of rates such as 0.3 or 0,0.3")
    parts = [part.strip() for part in value.split(",")]
    if len(parts) > MAX_DROPOUT_RATES:
        raise ValueError("dropout has at most two rates: after fc1 and after fc2")
    rates = tuple(_number(part, "a dropout rate") for part in parts)
    if any(not 0 <= rate < 1 for rate in rates):
        raise ValueError("a dropout rate lies in [0, 1)")
    return rates


def _parse_padding(value: object) -> object:
    value = _blank_is_none(value)
    return int(value) if isinstance(value, str) and value in ("0", "2") else value


def _parse_bool(value: object) -> object:
    value = _blank_is_none(value)
    return False if value is None else value


Accuracy = Annotated[float | None, BeforeValidator(parse_accuracy)]
Dropout = Annotated[tuple[float, ...] | None, BeforeValidator(parse_dropout)]
Blank = BeforeValidator(_blank_is_none)


class CheckpointOptions(BaseModel):
    """The architecture and preprocessing a student declares; anything left out is inferred
    from the weights (padding, batch norm) or assumed (and said so)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    padding: Annotated[Literal[0, 2] | None, BeforeValidator(_parse_padding)] = None
    pool: Annotated[Literal["max", "avg"] | None, Blank] = None
    activation: Annotated[Literal["relu", "tanh"] | None, Blank] = None
    batchnorm: Annotated[Literal["none", "before", "after"] | None, Blank] = None
    dropout: Dropout = Field(default=None, description='Rates after fc1, fc2: "0.3" or "0,0.3".')
    mean: Annotated[
        float | None, Blank, Field(ge=-MAX_PREPROCESSING, le=MAX_PREPROCESSING, allow_inf_nan=False)
    ] = None
    std: Annotated[float | None, Blank, Field(gt=0, le=MAX_PREPROCESSING, allow_inf_nan=False)] = (
        None
    )


class CheckpointCreate(CheckpointOptions):
    """The form that comes with an uploaded model (multipart/form-data, besides `file`)."""

    field: str = Field(max_length=100, pattern=FIELD_ID, description="e.g. q4.batchnorm")
    claimed_test_accuracy: Accuracy = Field(
        default=None, description='A fraction or a percentage: "0.891", "89.1" or "89.1%".'
    )
    claimed_train_accuracy: Accuracy = Field(
        default=None, description='A fraction or a percentage: "0.95", "95" or "95%".'
    )
    evaluate_train: Annotated[bool, BeforeValidator(_parse_bool)] = Field(
        default=False, description="Also evaluate on the 60,000 training images."
    )

    def declared(self) -> dict[str, Any]:
        """The architecture options given, by name (dropout as a list)."""
        names = ("padding", "pool", "activation", "batchnorm", "dropout")
        given = {name: getattr(self, name) for name in names if getattr(self, name) is not None}
        if "dropout" in given:
            given["dropout"] = list(given["dropout"])
        return given

    def preprocessing(self) -> dict[str, float]:
        """Mean and std (0 and 1, inputs in [0, 1], when not given)."""
        return {
            "mean": 0.0 if self.mean is None else self.mean,
            "std": 1.0 if self.std is None else self.std,
        }


class UploadPublic(BaseModel):
    """The uploaded file, as received."""

    filename: str
    bytes: int
    sha256: str


class EvaluationPublic(BaseModel):
    """A model measured on one split: accuracy with its Wilson 95 % interval, per class."""

    accuracy: float
    ci_low: float
    ci_high: float
    per_class: list[float | None]
    confusion: list[list[int]]
    count: int


class Finding(BaseModel):
    """One named outcome of a grading rule."""

    name: str
    message: str


class GradeOutcome(BaseModel):
    """What the field's rules made of the measurement, in points of the field."""

    verdict: Literal["correct", "partial", "incorrect", "invalid"]
    score: float = Field(ge=0)
    max_score: float = Field(ge=0)
    summary: str
    flagged: bool = Field(description="Claimed and measured accuracy disagree: look at it.")
    findings: list[Finding]
    feedback: str


class EvaluationOutcome(BaseModel):
    """What the worker returns for an evaluated checkpoint."""

    options: dict[str, Any]
    preprocessing: dict[str, float]
    notes: list[str]
    device: str
    test: EvaluationPublic
    train: EvaluationPublic | None = None
    grade: GradeOutcome


CHECKPOINT_JOB = "checkpoints.evaluate"


class CopyStudent(BaseModel):
    """One side of a copied model: whose upload, and its evaluation job."""

    user_id: str
    name: str
    login: str | None
    job_id: str


class CopyPublic(BaseModel):
    """Two students' uploads of one field that are the same model; no score is changed."""

    field: str
    kind: Literal["exact", "near"] = Field(
        description="exact: the same file; near: every tensor within the distance limit."
    )
    distance: float = Field(
        description="The largest relative distance of a tensor, after the declared "
        "normalisation is folded in (0 for the same file)."
    )
    earlier: CopyStudent = Field(description="The upload evaluated first.")
    later: CopyStudent = Field(description="The upload found to match it.")
    found_at: datetime


FINGERPRINT_SCHEME = "rp32-v1"
"""Names the fingerprint's projection; fingerprints of different schemes are never compared."""
FINGERPRINT_PROJECTION = 32
"""Projections per tensor, besides its norm."""
MAX_FINGERPRINT_TENSORS = 128
"""As many tensors as a state_dict may hold (app/checkpoints/loading.py)."""

Finite = Annotated[float, Field(allow_inf_nan=False)]


class TensorPrint(BaseModel):
    """One tensor of a fingerprint: its canonical name, shape, norm and projections."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=200)
    shape: list[Annotated[int, Field(ge=0)]] = Field(max_length=8)
    norm: Finite = Field(ge=0)
    projection: list[Finite] = Field(
        min_length=FINGERPRINT_PROJECTION, max_length=FINGERPRINT_PROJECTION
    )


class WorkerFingerprint(BaseModel):
    """The fingerprint the sandboxed worker returns with an evaluation, checked on arrival."""

    model_config = ConfigDict(extra="forbid")

    scheme: Literal["rp32-v1"]
    tensors: list[TensorPrint] = Field(min_length=1, max_length=MAX_FINGERPRINT_TENSORS)
