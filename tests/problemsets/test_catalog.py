"""The catalog: broken files fail at start, every student variant compiles and grades, and a
reload swaps in changed files only when every file is good."""

import hashlib
import shutil
from pathlib import Path

import pytest

from app.errors import UnknownProblemSet
from app.grading.engine import grade_answer
from app.grading.result import Verdict
from app.problemsets.catalog import DEFAULT_DIRECTORY, ProblemCatalog
from app.problemsets.compile import compile_problem_set
from app.problemsets.loader import ProblemFileError
from app.problemsets.variants import render, variant_parameters
from tests.problemsets import answers_published as published

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


@pytest.mark.parametrize(
    ("broken", "error"),
    [
        ("scales: [Gamma]", "also be one of the answer's symbols"),
        ("scales: [w_tilde]", "vectors or matrices"),
        ("scales: [nope]", "not a scalar symbol"),
        ("scales: [y]", "not a scalar symbol"),
        ("scales: [lam, lam]", "twice"),
    ],
)
def test_a_scale_must_be_a_declared_scalar_symbol(tmp_path: Path, broken: str, error: str) -> None:
    shutil.copy(DEFAULT_DIRECTORY / "dl-ex1.yaml", tmp_path)
    source = (DEFAULT_DIRECTORY / "eecs182-hw5.yaml").read_text()
    assert "scales: [lam]" in source
    (tmp_path / "eecs182-hw5.yaml").write_text(source.replace("scales: [lam]", broken, 1))
    with pytest.raises(ProblemFileError, match=error):
        ProblemCatalog(tmp_path)


# -- reloading ---------------------------------------------------------------------------------

W_H_CREDIT = "            credit: 0.5\n"
TRANSPOSED_W_H = "50 x 10"


def copy_problems(directory: Path) -> Path:
    """The shipped problem files, copied into directory."""
    for path in DEFAULT_DIRECTORY.glob("*.yaml"):
        shutil.copy(path, directory)
    return directory


def edit(path: Path, original: str, replacement: str) -> None:
    """Replace the first occurrence of original, which must be there."""
    text = path.read_text(encoding="utf-8")
    assert original in text
    path.write_text(text.replace(original, replacement, 1), encoding="utf-8")


def transposed_score(catalog: ProblemCatalog) -> float:
    return grade_answer(catalog.compiled("dl-ex1").fields["q1.b.W_h"], TRANSPOSED_W_H).score


def test_a_reload_of_unchanged_files_changes_nothing(tmp_path: Path) -> None:
    catalog = ProblemCatalog(copy_problems(tmp_path))
    fingerprint, compiled = catalog.fingerprint, catalog.compiled("dl-ex1", "ada")
    assert catalog.reload() is False
    assert catalog.fingerprint == fingerprint
    assert catalog.compiled("dl-ex1", "ada") is compiled


def test_a_reload_swaps_in_the_changed_file(tmp_path: Path) -> None:
    catalog = ProblemCatalog(copy_problems(tmp_path))
    before = (catalog.fingerprint, catalog.file_hash("dl-ex1"), catalog.file_hash("eecs182-hw5"))
    max_score = catalog.compiled("dl-ex1").fields["q1.b.W_h"].max_score
    assert transposed_score(catalog) == pytest.approx(0.5 * max_score)
    stale = catalog.compiled("dl-ex1", "ada")
    edit(tmp_path / "dl-ex1.yaml", W_H_CREDIT, "            credit: 0.75\n")
    assert catalog.reload() is True
    assert transposed_score(catalog) == pytest.approx(0.75 * max_score)
    assert catalog.compiled("dl-ex1", "ada") is not stale
    new_bytes = (tmp_path / "dl-ex1.yaml").read_bytes()
    assert catalog.file_hash("dl-ex1") == hashlib.sha256(new_bytes).hexdigest() != before[1]
    assert catalog.file_hash("eecs182-hw5") == before[2]
    assert catalog.fingerprint not in (before[0], "")
    assert catalog.fingerprint == ProblemCatalog(tmp_path).fingerprint


def test_a_reload_finds_a_new_problem_set(tmp_path: Path) -> None:
    catalog = ProblemCatalog(copy_problems(tmp_path))
    source = (tmp_path / "eecs182-hw5.yaml").read_text(encoding="utf-8")
    copy = source.replace("id: eecs182-hw5\n", "id: hw5-copy\n", 1)
    (tmp_path / "hw5-copy.yaml").write_text(copy, encoding="utf-8")
    assert catalog.reload() is True
    assert catalog.ids() == ["dl-ex1", "eecs182-hw5", "hw5-copy"]
    assert catalog.compiled("hw5-copy").max_total == pytest.approx(100)


def test_fingerprints_tell_directories_apart(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    same = ProblemCatalog(copy_problems(tmp_path / "a"))
    other_dir = copy_problems(tmp_path / "b")
    assert ProblemCatalog(other_dir).fingerprint == same.fingerprint
    edit(other_dir / "eecs182-hw5.yaml", "points: 15", "points: 16")
    assert ProblemCatalog(other_dir).fingerprint != same.fingerprint


@pytest.mark.parametrize(
    ("original", "broken"),
    [
        ("call: dense.input_shape", "call: dense.no_such_shape"),
        ("context: dense_network", "context: no_such_context"),
        ("credit: 0.5", "credit: 1.5"),
        ("id: dl-ex1\n", "id: dl-ex2\n"),
        ("questions:\n", "questions: [\n"),
    ],
)
def test_a_broken_file_fails_the_reload_and_the_old_problem_sets_stay(
    tmp_path: Path, original: str, broken: str
) -> None:
    catalog = ProblemCatalog(copy_problems(tmp_path))
    fingerprint, definition = catalog.fingerprint, catalog.definition("dl-ex1")
    edit(tmp_path / "eecs182-hw5.yaml", "points: 15", "points: 16")
    edit(tmp_path / "dl-ex1.yaml", original, broken)
    with pytest.raises(ProblemFileError, match="dl-ex1.yaml"):
        catalog.reload()
    assert catalog.fingerprint == fingerprint
    assert catalog.definition("dl-ex1") is definition
    assert catalog.compiled("eecs182-hw5").definition.questions[0].points == 15
    assert transposed_score(catalog) > 0


# -- variants share the fields that read none of the parameters they differ in ----------------

SHARING_STUDENTS = [f"sharing-{k}" for k in range(8)]


@pytest.mark.parametrize("problem_set", ["dl-ex1", "eecs182-hw5"])
def test_a_variant_built_from_shared_fields_grades_like_one_built_alone(problem_set: str) -> None:
    catalog = ProblemCatalog()
    definition = catalog.definition(problem_set)
    rows = [
        (field, answer)
        for row_set, field, answer, *_ in published.ACCEPTED + published.MISTAKES + published.WRONG
        if row_set == problem_set
    ]
    for student in SHARING_STUDENTS:
        shared = catalog.compiled(problem_set, student)
        alone = compile_problem_set(definition, variant_parameters(definition, student))
        for field, answer in rows:
            assert grade_answer(shared.fields[field], answer) == grade_answer(
                alone.fields[field], answer
            ), (student, field, answer)


def test_fields_that_read_no_parameter_are_compiled_once() -> None:
    catalog = ProblemCatalog()
    first, *others = (catalog.compiled("dl-ex1", student) for student in SHARING_STUDENTS)
    other = next(o for o in others if o.parameters["n_in"] != first.parameters["n_in"])
    assert first.fields["q3.f"] is other.fields["q3.f"]
    # q1.a reads n_in, in which the two variants differ.
    assert first.fields["q1.a"] is not other.fields["q1.a"]


def test_a_reload_shares_no_field_of_the_old_files(tmp_path: Path) -> None:
    catalog = ProblemCatalog(copy_problems(tmp_path))
    before = catalog.compiled("dl-ex1", SHARING_STUDENTS[0]).fields["q3.c"]
    edit(tmp_path / "dl-ex1.yaml", "    points: 25\n", "    points: 50\n")
    assert catalog.reload()
    after = catalog.compiled("dl-ex1", SHARING_STUDENTS[1]).fields["q3.c"]
    assert after.max_score == pytest.approx(2 * before.max_score)
