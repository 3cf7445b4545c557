"""A compiled variant of a problem set: the type only, so that code handed one loads no SymPy."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.grading.field import GradableField
from app.problemsets.schema import ProblemSetDef


@dataclass(frozen=True, slots=True)
class CompiledProblemSet:
    """One variant of a problem set, every field ready to grade, in file order."""

    definition: ProblemSetDef
    parameters: Mapping[str, Any]
    fields: Mapping[str, GradableField]

    @property
    def max_total(self) -> float:
        """Points of the whole problem set."""
        return sum(field.max_score for field in self.fields.values())
