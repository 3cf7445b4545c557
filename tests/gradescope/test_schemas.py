"""The command line's choices are the schema's, and what the schema writes is what
Gradescope's documentation describes."""

from typing import get_args

from app.commands.choices import VARIANT_KEYS, VISIBILITIES
from app.gradescope.schemas import GradescopeResults, GradescopeTest, VariantKey, Visibility
from tests.gradescope.spec import DocumentedResults


def test_the_command_line_offers_exactly_the_schemas_choices() -> None:
    assert set(get_args(Visibility)) == set(VISIBILITIES)
    assert set(get_args(VariantKey)) == set(VARIANT_KEYS)


def test_every_key_written_is_a_documented_one() -> None:
    test = GradescopeTest(name="q1.a", score=1, max_score=2, status="failed", number="1.1")
    results = GradescopeResults(score=1, output="1 of 2", execution_time=3, tests=[test])
    documented = DocumentedResults.model_validate_json(results.model_dump_json(exclude_none=True))
    assert documented.model_dump(exclude_none=True) == results.model_dump(exclude_none=True)
