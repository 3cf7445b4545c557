"""What the problem-set routes read and return: statements and forms, never answers."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.grading.engine import AnswerPreview
from app.grading.limits import MAX_ANSWER_CHARS


class PolicyPublic(BaseModel):
    """Which submission counts, and what happens after the due time."""

    score: Literal["latest", "best"]
    due: datetime | None
    late: Literal["accept", "penalize", "refuse"]
    late_factor: float


class ProblemSetBase(BaseModel):
    """What names and sizes a problem set."""

    id: str
    title: str
    summary: str
    points: float
    policy: PolicyPublic


class ProblemSetSummary(ProblemSetBase):
    """One entry of the problem-set list."""

    field_count: int


class SymbolPublic(BaseModel):
    """A symbol an expression answer may use, as it is written."""

    latex: str


class TextForm(BaseModel):
    """A typed answer that needs nothing but a text box: shape, number, vector, matrix."""

    type: Literal["shape", "number", "vector", "matrix"]


class ChoiceForm(BaseModel):
    """One option letter out of these."""

    type: Literal["choice"]
    options: list[str]


class ExpressionForm(BaseModel):
    """An expression in these symbols and functions."""

    type: Literal["expression", "matrix_expression"]
    symbols: list[SymbolPublic]
    functions: list[str]


class EdgesForm(BaseModel):
    """Edges `A->B` between these nodes."""

    type: Literal["edges"]
    nodes: list[str]


class UploadForm(BaseModel):
    """A trained model, uploaded rather than typed."""

    type: Literal["checkpoint"]
    dataset: str


# What a form needs to ask for one answer, and nothing about what the answer is.
AnswerForm = Annotated[
    TextForm | ChoiceForm | ExpressionForm | EdgesForm | UploadForm, Field(discriminator="type")
]


class FieldPublic(BaseModel):
    """One answer field as the caller sees it."""

    id: str
    prompt: str
    points: float
    answer: AnswerForm


class QuestionPublic(BaseModel):
    """One question, its prompt rendered with the caller's variant."""

    id: str
    title: str
    points: float
    prompt: str
    fields: list[FieldPublic]


class ProblemSetPublic(ProblemSetBase):
    """A whole problem set as the caller sees it."""

    questions: list[QuestionPublic]


class AnswersBase(BaseModel):
    """Answers by field id, as a student typed them (all fields or some)."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[str, str] = Field(
        description=f"Field id -> answer text (at most {MAX_ANSWER_CHARS} characters each)."
    )


class PreviewCreate(AnswersBase):
    """Answers to show back as they were understood."""


class PreviewPublic(BaseModel):
    """How each answer was understood, in the problem set's field order; nothing is graded."""

    problem_set: str
    fields: list[AnswerPreview]
