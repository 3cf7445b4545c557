"""Which parameters each field of a problem set reads, so that variants agreeing on them can
share the field's compiled form and its grades.

A field reads parameters only through `$name` in its reference calls and context arguments
and through `{{ name }}` in its prompt; every string of the field is scanned for both, so a
name is over-counted (a `$W_h` in a prompt's LaTeX) rather than missed. A parameter whose
declared values themselves name parameters brings those along.
"""

import re
from collections.abc import Mapping
from typing import Any

from app.problemsets.schema import ProblemSetDef

DOLLAR_NAME = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
PLACEHOLDER_NAME = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

FieldParameters = dict[str, tuple[str, ...]]
"""Per field id, the sorted names of the parameters it reads."""


def field_parameters(definition: ProblemSetDef) -> FieldParameters:
    """The parameters every field of the problem set reads."""
    declared = {
        name: _names_in(parameter.model_dump()) & set(definition.parameters)
        for name, parameter in definition.parameters.items()
    }
    return {
        field.id: tuple(sorted(_closure(_names_in(field.model_dump()), declared)))
        for question in definition.questions
        for field in question.fields
    }


def variant_key(names: tuple[str, ...], parameters: Mapping[str, Any]) -> str:
    """What a field's compiled form depends on in a variant: the values of the names it reads."""
    return repr([(name, parameters[name]) for name in names if name in parameters])


def _names_in(value: Any) -> set[str]:
    if isinstance(value, str):
        return set(DOLLAR_NAME.findall(value)) | set(PLACEHOLDER_NAME.findall(value))
    if isinstance(value, Mapping):
        return set().union(*(_names_in(item) for item in (*value.keys(), *value.values())))
    if isinstance(value, list | tuple):
        return set().union(*(_names_in(item) for item in value))
    return set()


def _closure(names: set[str], declared: Mapping[str, set[str]]) -> set[str]:
    """The declared parameters among `names`, with those their declarations name."""
    found: set[str] = set()
    pending = [name for name in names if name in declared]
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending.extend(declared[name] - found)
    return found
