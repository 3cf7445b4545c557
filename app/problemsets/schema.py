"""The shape of a problem-set file, validated by pydantic when it is loaded."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FIELD_ID = r"^q\d+(\.[A-Za-z0-9_]+)*$"


class Strict(BaseModel):
    """Base for every problem-file model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(Strict):
    """A problem parameter: the published value, and optionally a range for per-student variants."""

    value: Any
    range: tuple[int, int] | None = None
    choices: list[Any] | None = None

    @model_validator(mode="after")
    def _one_kind_of_variation(self) -> "Parameter":
        if self.range is not None and self.choices is not None:
            raise ValueError("give either range or choices, not both")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError("range must be [low, high] with low <= high")
        return self


class SymbolDef(Strict):
    """How a symbol is written: its LaTeX, other spellings, and whether it takes an index."""

    latex: str
    aliases: list[str] = []
    indexed: bool = False
    derivative_of: str | None = None


class Reference(Strict):
    """What an answer is compared with: a reference call, a sampled quantity, or an expression."""

    call: str | None = Field(default=None, pattern=r"^[a-z_]+\.[a-z_][a-z0-9_]*$")
    args: dict[str, Any] = {}
    pick: int | str | None = None
    quantity: str | None = None
    expression: str | None = None

    @model_validator(mode="after")
    def _exactly_one_source(self) -> "Reference":
        sources = [s for s in (self.call, self.quantity, self.expression) if s is not None]
        if len(sources) != 1:
            raise ValueError("give exactly one of call, quantity or expression")
        if self.call is None and (self.args or self.pick is not None):
            raise ValueError("args and pick belong to a call")
        return self


class Mistake(Strict):
    """A known mistake, defined by computation or by its answer form, with what it earns.

    A mistake given by `parsed` (the answer's LaTeX, as the statistics show it) matches as an
    answer rule does: before the reference is compared, and it earns `partial` at any credit.
    """

    name: str
    reference: Reference | None = None
    parsed: str | None = Field(default=None, min_length=1)
    feedback: str
    credit: float = Field(default=0.0, ge=0.0, lt=1.0)

    @model_validator(mode="after")
    def _computed_or_by_form(self) -> "Mistake":
        if (self.reference is None) == (self.parsed is None):
            raise ValueError("give exactly one of reference or parsed")
        return self


class AcceptedForm(Strict):
    """An answer form accepted as correct, matched on how the answer reads, as a rule is."""

    parsed: str = Field(min_length=1)
    feedback: str
    note: str | None = None


class ShapeSpec(Strict):
    """Options of a shape answer."""

    type: Literal["shape"]
    dims: dict[str, list[str]] = {}
    names: list[str] = []
    row_vector_ok: bool = False


class NumberSpec(Strict):
    """Options of a number answer."""

    type: Literal["number"]
    rtol: float = Field(default=0.0, ge=0.0)
    atol: float = Field(default=0.0, ge=0.0)


class ArraySpec(Strict):
    """Options of a vector or matrix answer."""

    type: Literal["vector", "matrix"]
    rtol: float = Field(default=1e-9, ge=0.0)
    atol: float = Field(default=1e-9, ge=0.0)


class ChoiceSpec(Strict):
    """Options of a multiple-choice answer."""

    type: Literal["choice"]
    options: list[str] = Field(min_length=2)
    labels: dict[str, list[str]] = {}


class EdgesSpec(Strict):
    """Options of a graph edge-list answer: node names and their spellings."""

    type: Literal["edges"]
    nodes: dict[str, list[str]]


class ExpressionSpec(Strict):
    """Options of a scalar or matrix expression answer, checked by numeric sampling."""

    type: Literal["expression", "matrix_expression"]
    context: str
    context_params: dict[str, Any] = {}
    symbols: list[str] = Field(min_length=1)
    free_indices: list[str] = []
    sum_upper: str | None = None
    targets: list[str] = []
    functions: list[str] = []
    # Scalar symbols that may scale the whole answer, as the official solution allows.
    scales: list[str] = []
    rtol: float = Field(default=1e-6, ge=0.0)
    atol: float = Field(default=1e-9, ge=0.0)

    @model_validator(mode="after")
    def _scales_are_not_answer_symbols(self) -> "ExpressionSpec":
        if len(set(self.scales)) != len(self.scales):
            raise ValueError("scales lists a symbol twice")
        if set(self.scales) & set(self.symbols):
            raise ValueError("a scale symbol may not also be one of the answer's symbols")
        return self


class CheckpointRequires(Strict):
    """What the model must show: true requires it, false forbids it, absent does not check."""

    batchnorm: bool | None = None
    dropout: bool | None = None


CheckpointNote = Literal["weight_decay_not_visible"]


class CheckpointSpec(Strict):
    """A trained-model upload, graded by re-evaluation rather than from text."""

    type: Literal["checkpoint"]
    dataset: str
    claims: list[str] = []
    # Test accuracy earning full credit, and at or below which no credit is left.
    threshold: float = Field(default=0.88, gt=0.0, le=1.0)
    floor: float = Field(default=0.5, ge=0.0, lt=1.0)
    # How far a claimed accuracy may be from the measured one, as a fraction (0.005: 0.5 points).
    tolerance: float = Field(default=0.005, ge=0.0, le=1.0)
    # Train accuracy is often reported as a running average in train mode (dropout on, weights
    # still moving), so it is held to a looser tolerance than test accuracy.
    train_tolerance: float = Field(default=0.02, ge=0.0, le=1.0)
    requires: CheckpointRequires = CheckpointRequires()
    notes: list[CheckpointNote] = []

    @model_validator(mode="after")
    def _floor_below_threshold(self) -> "CheckpointSpec":
        if self.floor >= self.threshold:
            raise ValueError("floor must be below threshold")
        return self


AnswerSpec = Annotated[
    ShapeSpec | NumberSpec | ArraySpec | ChoiceSpec | EdgesSpec | ExpressionSpec | CheckpointSpec,
    Field(discriminator="type"),
]


class FieldDef(Strict):
    """One answer field: its prompt, points, answer type, reference and known mistakes."""

    id: str = Field(pattern=FIELD_ID)
    prompt: str
    points: float | None = Field(default=None, gt=0)
    answer: AnswerSpec
    reference: Reference | None = None
    mistakes: list[Mistake] = []
    accepted: list[AcceptedForm] = []

    @model_validator(mode="after")
    def _target_unless_checkpoint(self) -> "FieldDef":
        if isinstance(self.answer, CheckpointSpec) != (self.reference is None):
            raise ValueError("every field but a checkpoint needs a reference")
        return self

    @model_validator(mode="after")
    def _forms_once_and_read(self) -> "FieldDef":
        forms = [form.parsed for form in self.accepted]
        forms += [mistake.parsed for mistake in self.mistakes if mistake.parsed is not None]
        if len(set(forms)) != len(forms):
            raise ValueError("an answer form (parsed) is given twice")
        if forms and isinstance(self.answer, CheckpointSpec):
            raise ValueError("a checkpoint's answers are not read, so no form can match one")
        return self


class Question(Strict):
    """A question: shared prompt and points, split over its fields."""

    id: str = Field(pattern=r"^q\d+$")
    title: str
    points: float = Field(gt=0)
    prompt: str = ""
    fields: list[FieldDef] = Field(min_length=1)

    @model_validator(mode="after")
    def _fields_belong_here(self) -> "Question":
        for field in self.fields:
            if field.id != self.id and not field.id.startswith(self.id + "."):
                raise ValueError(f"field {field.id} does not belong to question {self.id}")
        return self


class Policy(Strict):
    """Which submission counts, and what happens after the due time."""

    score: Literal["latest", "best"] = "latest"
    due: datetime | None = None
    late: Literal["accept", "penalize", "refuse"] = "accept"
    late_factor: float = Field(default=0.5, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _due_has_a_timezone(self) -> "Policy":
        if self.due is not None and self.due.tzinfo is None:
            raise ValueError("due needs a timezone, e.g. 2026-12-01T23:59:00Z")
        return self


class ProblemSetDef(Strict):
    """A whole problem-set file."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    summary: str
    policy: Policy = Policy()
    parameters: dict[str, Parameter] = {}
    symbols: dict[str, SymbolDef] = {}
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _scales_are_scalar_symbols(self) -> "ProblemSetDef":
        for question in self.questions:
            for field in question.fields:
                if not isinstance(field.answer, ExpressionSpec):
                    continue
                for name in field.answer.scales:
                    symbol = self.symbols.get(name)
                    if symbol is None or symbol.indexed or symbol.derivative_of is not None:
                        raise ValueError(f"scale {name!r} of {field.id} is not a scalar symbol")
        return self

    @model_validator(mode="after")
    def _field_ids_unique(self) -> "ProblemSetDef":
        seen: set[str] = set()
        for question in self.questions:
            for field in question.fields:
                if field.id in seen:
                    raise ValueError(f"field id {field.id} appears twice")
                seen.add(field.id)
        return self
