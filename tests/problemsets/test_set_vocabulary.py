"""The vocabulary of a whole problem set: every symbol it declares, and what its fields allow."""

from app.problemsets.catalog import ProblemCatalog
from app.problemsets.set_vocabulary import problem_set_vocabulary


def test_every_declared_symbol_is_in_it_as_a_scalar() -> None:
    definition = ProblemCatalog().definition("eecs182-hw5")
    vocabulary = problem_set_vocabulary(definition)
    assert {spec.name for spec in vocabulary.symbols} == set(definition.symbols)
    assert all(spec.shape is None for spec in vocabulary.symbols)
    assert "i" in vocabulary.free_indices


def test_the_functions_of_its_fields_are_allowed() -> None:
    vocabulary = problem_set_vocabulary(ProblemCatalog().definition("dl-ex1"))
    assert {"sqrt", "ReLU"} <= vocabulary.functions
