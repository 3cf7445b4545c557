"""What Gradescope reads back (results.json, as its autograder specification documents it), and
the settings `dlgrade gradescope-setup` leaves for `dlgrade gradescope`."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Visibility = Literal["hidden", "after_due_date", "after_published", "visible"]
"""When students see a test (or the whole result): Gradescope's four settings."""
PROBLEM_SET_ID = r"^[a-z0-9][a-z0-9-]*$"
TextFormat = Literal["text", "html", "simple_format", "md", "ansi"]
VariantKey = Literal["email", "sid", "id", "name", "published"]
"""Which of a submitter's details seeds their variant; `published`: the published numbers."""


class GradescopeTest(BaseModel):
    """One entry of `tests`: here, one field of the problem set."""

    model_config = ConfigDict(extra="forbid")

    name: str
    score: float = Field(ge=0)
    max_score: float = Field(ge=0)
    status: Literal["passed", "failed"] | None = None
    output: str = ""
    output_format: TextFormat = "text"
    visibility: Visibility = "visible"
    tags: list[str] = []
    number: str | None = None
    extra_data: dict[str, object] = {}


class GradescopeResults(BaseModel):
    """The whole of /autograder/results/results.json."""

    model_config = ConfigDict(extra="forbid")

    score: float = Field(ge=0)
    output: str = ""
    output_format: TextFormat = "text"
    execution_time: int | None = Field(default=None, ge=0)
    visibility: Visibility = "visible"
    stdout_visibility: Visibility = "hidden"
    extra_data: dict[str, object] = {}
    tests: list[GradescopeTest] = []


class GradescopeSettings(BaseModel):
    """What the setup chose, read by every run: the problem set and how results are shown."""

    model_config = ConfigDict(extra="forbid")

    problem_set: str = Field(max_length=100, pattern=PROBLEM_SET_ID)
    visibility: Visibility = "visible"
    variant_key: VariantKey = "email"
