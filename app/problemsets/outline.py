"""What a problem file alone says of a problem set's fields: their order and their points.

Enough to check a submission as a whole and to total its grade without compiling the
references, which loads SymPy and the grading engine.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from app.problemsets.schema import ProblemSetDef


@dataclass(frozen=True, slots=True)
class ProblemSetOutline:
    """A problem set's field ids in file order, each with its points."""

    definition: ProblemSetDef
    fields: Mapping[str, float]

    @property
    def max_total(self) -> float:
        """Points of the whole problem set."""
        return sum(self.fields.values())


def outline(definition: ProblemSetDef) -> ProblemSetOutline:
    """The fields and points of a problem set, as every variant of it has them."""
    return ProblemSetOutline(definition, field_points(definition))


def field_points(definition: ProblemSetDef) -> dict[str, float]:
    """Each field's points in file order: its own, else an equal share of its question's."""
    points: dict[str, float] = {}
    for question in definition.questions:
        share = question.points / len(question.fields)
        for field in question.fields:
            points[field.id] = field.points or share
    return points
