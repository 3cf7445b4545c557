"""Answer statistics of a problem set, over the submission of each student that counts."""

from pydantic import BaseModel, Field

from app.checkpoints.schemas import CopyPublic
from app.grading.result import Verdict


class Histogram(BaseModel):
    """Counts in bins: bin i holds edges[i] <= x < edges[i+1] (the last bin is closed)."""

    edges: list[float]
    counts: list[int]


class Distribution(BaseModel):
    """Summary and histogram of a set of numbers (no numbers: count 0, the rest None)."""

    count: int
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None
    histogram: Histogram


class WrongAnswer(BaseModel):
    """A group of wrong answers that read the same once normalized (STACK's answer notes)."""

    answer: str = Field(description="The normalized form (as understood), or the text if unread.")
    verdict: Verdict
    note: str | None = Field(description="The known mistake the answers matched, if any.")
    feedback: str
    count: int


class FieldStats(BaseModel):
    """How one field was answered."""

    field: str
    max_score: float
    answered: int = Field(description="Students whose counted work answers this field.")
    shares: dict[Verdict, float] = Field(description="Share of answered, per verdict.")
    mean_score: float | None
    common_wrong: list[WrongAnswer] = Field(description="Most common first.")
    overridden: int = Field(
        default=0, description="Counted submissions whose score of this field an override sets."
    )


class CheckpointStats(BaseModel):
    """Measured test accuracies of the counted model uploads of one field."""

    field: str
    accuracy: Distribution


class ProblemSetStats(BaseModel):
    """Everything the statistics page and the HTML report show."""

    problem_set: str
    title: str
    counts: str = Field(description="Which submission counts: latest or best.")
    students: int = Field(description="Students with a counted grade.")
    max_total: float
    totals: Distribution
    fields: list[FieldStats]
    checkpoints: list[CheckpointStats]
    copies: list[CopyPublic] = Field(
        default_factory=list,
        description="Uploads by two students that are the same model, newest first (at most "
        "100); every upload counts here, not only the counted ones. No score is changed.",
    )
