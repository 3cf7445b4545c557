"""The catalog: broken files fail at start, every student variant compiles and grades."""

import shutil
from pathlib import Path

import pytest

from app.errors import UnknownProblemSet
from app.grading.engine import grade_answer
from app.grading.result import Verdict
from app.problemsets.catalog import DEFAULT_DIRECTORY, ProblemCatalog
from app.problemsets.loader import ProblemFileError
from app.problemsets.variants import render

STUDENTS = [f"student-{k}" for k in range(12)]


@pytest.fixture(scope="module")
def catalog() -> ProblemCatalog:
    return ProblemCatalog()


def test_holds_both_problem_sets(catalog: ProblemCatalog) -> None:
    assert catalog.ids() == ["dl-ex1", "eecs182-hw5"]
    with pytest.raises(UnknownProblemSet, match="dl-ex1, eecs182-hw5"):
        catalog.definition("dl-ex2")


@pytest.mark.parametrize("student", STUDENTS)
def test_every_variant_compiles_and_grades_its_own_numbers(
    catalog: ProblemCatalog, student: str
) -> None:
    compiled = catalog.compiled("dl-ex1", student)
    n_in, n_hidden = compiled.parameters["n_in"], compiled.parameters["n_hidden"]
    kernel, maps = compiled.parameters["kernel"], compiled.parameters["feature_maps"]
    assert grade_answer(compiled.fields["q1.a"], f"m x {n_in}").verdict == Verdict.CORRECT
    assert grade_answer(compiled.fields["q1.b.W_h"], f"{n_in} x {n_hidden}").verdict == (
        Verdict.CORRECT
    )
    layer1 = f"({kernel}*{kernel}*3 + 1)*{maps[0]}"
    assert grade_answer(compiled.fields["q2.layer1"], layer1).verdict == Verdict.CORRECT
    assert grade_answer(compiled.fields["q1.e"], "ReLU(ReLU(X W_h + b_h) W_o + b_o)").verdict == (
        Verdict.CORRECT
    )
    assert compiled.max_total == pytest.approx(100)


def test_prompts_show_the_students_own_numbers(catalog: ProblemCatalog) -> None:
    definition = catalog.definition("dl-ex1")
    for student in STUDENTS:
        parameters = catalog.compiled("dl-ex1", student).parameters
        text = render(definition.questions[0].prompt, parameters)
        assert f"{parameters['n_in']} input features" in text
        assert "{{" not in text


def test_compiled_variants_are_cached(catalog: ProblemCatalog) -> None:
    assert catalog.compiled("dl-ex1", "ada") is catalog.compiled("dl-ex1", "ada")
    assert catalog.compiled("eecs182-hw5") is catalog.compiled("eecs182-hw5", None)


@pytest.mark.parametrize(
    ("original", "broken"),
    [
        ("call: dense.input_shape", "call: dense.no_such_shape"),
        ("n_in: $n_in}}", "n_inputs: $n_in}}"),
        ("batch: m, n_in: $n_in", "batch: m, n_in: $n_features"),
        ("context: dense_network", "context: no_such_context"),
        ("reference: {quantity: Y}", "reference: {quantity: Z}"),
        ("symbols: [X, W_h, b_h", "symbols: [X, W_q, b_h"),
        ("'\\sum_{j=1}^{m} \\frac{\\partial f}{\\partial y_j} x_j'", "'\\sum_{j=1}^{m} q_j'"),
    ],
)
def test_a_broken_problem_file_fails_at_start_naming_file_and_field(
    tmp_path: Path, original: str, broken: str
) -> None:
    shutil.copy(DEFAULT_DIRECTORY / "eecs182-hw5.yaml", tmp_path)
    source = (DEFAULT_DIRECTORY / "dl-ex1.yaml").read_text()
    assert original in source
    (tmp_path / "dl-ex1.yaml").write_text(source.replace(original, broken, 1))
    with pytest.raises(ProblemFileError) as info:
        ProblemCatalog(tmp_path)
    assert "dl-ex1.yaml" in str(info.value)
    assert "field q" in str(info.value)
