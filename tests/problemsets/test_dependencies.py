"""Which parameters a field reads: `$name` in its calls and context, `{{ name }}` in its prompt,
and what a parameter's own declaration names."""

from typing import Any

from app.problemsets.dependencies import field_parameters, variant_key
from app.problemsets.schema import ProblemSetDef


def problem_set(fields: list[dict[str, Any]], parameters: dict[str, Any]) -> ProblemSetDef:
    return ProblemSetDef.model_validate(
        {
            "id": "reads",
            "title": "Reads",
            "summary": "s",
            "parameters": parameters,
            "questions": [{"id": "q1", "title": "t", "points": 1, "fields": fields}],
        }
    )


def number(field_id: str, prompt: str, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": field_id,
        "prompt": prompt,
        "answer": {"type": "number"},
        "reference": {"call": "conv.conv2d_params", "args": args},
    }


PARAMETERS = {
    "kernel": {"value": 3, "choices": [3, 5]},
    "maps": {"value": [4, 8]},
    "shown": {"value": 7, "range": [1, 9]},
    "unused": {"value": 1, "range": [1, 9]},
}


def test_each_field_reads_the_parameters_it_names_and_no_other() -> None:
    definition = problem_set(
        [
            number("q1.a", "No parameter: $W_h$ and {{ nothing }}.", {"in_channels": 1}),
            number("q1.b", "Kernel {{ kernel }}.", {"in_channels": 1}),
            number("q1.c", "p", {"out_channels": "$maps[1]", "kernel": "$kernel"}),
            number("q1.d", "{{shown}} and {{  kernel  }}", {"in_channels": "$shown"}),
        ],
        PARAMETERS,
    )
    assert field_parameters(definition) == {
        "q1.a": (),
        "q1.b": ("kernel",),
        "q1.c": ("kernel", "maps"),
        "q1.d": ("kernel", "shown"),
    }


def test_a_parameter_declared_from_another_brings_it_along() -> None:
    parameters = PARAMETERS | {"alias": {"value": "$shown"}, "twice": {"value": ["$alias"]}}
    definition = problem_set([number("q1.a", "p", {"in_channels": "$twice[0]"})], parameters)
    assert field_parameters(definition) == {"q1.a": ("alias", "shown", "twice")}


def test_the_key_holds_the_values_of_the_names_only() -> None:
    values = {"kernel": 5, "maps": [4, 8], "shown": 2}
    assert variant_key(("kernel", "maps"), values) == variant_key(
        ("kernel", "maps"), values | {"shown": 9}
    )
    assert variant_key(("kernel",), values) != variant_key(("kernel",), values | {"kernel": 3})
    assert variant_key((), values) == variant_key((), {})
