"""Gradescope's documented results.json, written from its autograder specification
(gradescope-autograders.readthedocs.io, "Autograder Specifications", Output format) apart from
the app's own schema, so that a results file is checked against the documentation itself."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Visibility = Literal["hidden", "after_due_date", "after_published", "visible"]
Format = Literal["text", "html", "simple_format", "md", "ansi"]


class DocumentedTest(BaseModel):
    """One entry of `tests`, with only the documented keys."""

    model_config = ConfigDict(extra="forbid", strict=True)

    score: float = Field(ge=0)
    max_score: float = Field(ge=0)
    status: Literal["passed", "failed"] | None = None
    name: str
    name_format: Format | None = None
    number: str | None = None
    output: str
    output_format: Format | None = None
    tags: list[str] | None = None
    visibility: Visibility
    extra_data: dict[str, object] | None = None


class DocumentedResults(BaseModel):
    """The top level, with only the documented keys (`score` and `output` required here)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    score: float = Field(ge=0)
    execution_time: int | None = None
    output: str
    output_format: Format | None = None
    test_output_format: Format | None = None
    test_name_format: Format | None = None
    visibility: Visibility | None = None
    stdout_visibility: Visibility | None = None
    extra_data: dict[str, object] | None = None
    tests: list[DocumentedTest]
    leaderboard: list[dict[str, object]] | None = None
