"""Per-student variants: each parameter with a range or choices is drawn from a seeded stream."""

import hashlib
import random
import re
from collections.abc import Mapping
from typing import Any

from app.problemsets.schema import Parameter, ProblemSetDef

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def canonical_parameters(problem_set: ProblemSetDef) -> dict[str, Any]:
    """The published values of every parameter."""
    return {name: parameter.value for name, parameter in problem_set.parameters.items()}


def variant_parameters(problem_set: ProblemSetDef, student: str | None) -> dict[str, Any]:
    """The parameters a student sees; the canonical ones when no student is named."""
    if student is None:
        return canonical_parameters(problem_set)
    rng = random.Random(_seed(problem_set.id, student))
    return {name: _draw(parameter, rng) for name, parameter in problem_set.parameters.items()}


def render(text: str, parameters: Mapping[str, Any]) -> str:
    """Fill `{{ name }}` placeholders of a prompt with the variant's parameters."""
    return PLACEHOLDER.sub(lambda match: _format(parameters[match.group(1)]), text)


def _seed(problem_set_id: str, student: str) -> int:
    # A stable hash: Python's hash() is salted per process, and variants must not change.
    digest = hashlib.sha256(f"{problem_set_id}\x00{student}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _draw(parameter: Parameter, rng: random.Random) -> Any:
    if parameter.range is not None:
        return rng.randint(*parameter.range)
    if parameter.choices is not None:
        return rng.choice(parameter.choices)
    return parameter.value


def _format(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_format(item) for item in value) + "]"
    return str(value)
