"""Variants are stable per student, stay inside their ranges, and the canonical one is published."""

from app.problemsets.schema import Parameter, ProblemSetDef
from app.problemsets.variants import canonical_parameters, render, variant_parameters


def problem_set() -> ProblemSetDef:
    return ProblemSetDef.model_validate(
        {
            "id": "vary",
            "title": "Vary",
            "summary": "s",
            "parameters": {
                "fixed": Parameter(value=[1, 2]),
                "ranged": Parameter(value=10, range=(5, 20)),
                "chosen": Parameter(value=50, choices=[30, 40, 50]),
            },
            "questions": [
                {
                    "id": "q1",
                    "title": "t",
                    "points": 1,
                    "fields": [
                        {
                            "id": "q1",
                            "prompt": "p",
                            "answer": {"type": "checkpoint", "dataset": "d"},
                        }
                    ],
                }
            ],
        }
    )


def test_canonical_variant_is_the_published_one() -> None:
    assert variant_parameters(problem_set(), None) == {"fixed": [1, 2], "ranged": 10, "chosen": 50}
    assert canonical_parameters(problem_set()) == variant_parameters(problem_set(), None)


def test_a_student_always_gets_the_same_variant() -> None:
    assert variant_parameters(problem_set(), "ada") == variant_parameters(problem_set(), "ada")


def test_variants_stay_in_range_and_differ_between_students() -> None:
    drawn = [variant_parameters(problem_set(), f"student-{k}") for k in range(200)]
    assert all(5 <= params["ranged"] <= 20 for params in drawn)
    assert all(params["chosen"] in (30, 40, 50) for params in drawn)
    assert len({params["ranged"] for params in drawn}) > 5
    assert all(params["fixed"] == [1, 2] for params in drawn)


def test_render_fills_placeholders_and_leaves_latex_alone() -> None:
    text = r"{{ ranged }} features, $\frac{a}{b}$, list {{fixed}}"
    assert render(text, {"ranged": 7, "fixed": [1, 2]}) == r"7 features, $\frac{a}{b}$, list [1, 2]"
