"""`dlgrade gradescope` on folders laid out as Gradescope lays them out: the total equals
`dlgrade grade`'s for the same answers, every field is a test, and a broken or hostile
submission still gets a results.json (score 0, what to fix) that Gradescope's documented
format accepts."""

import json
import os
from pathlib import Path

import pytest

from app.cli import main
from app.problemsets.catalog import ProblemCatalog
from tests.gradescope.folder import Autograder, make_autograder

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ADA = {"email": "Ada@Example.edu", "id": 5, "name": "Ada Lovelace", "sid": "s1"}


@pytest.fixture
def autograder(tmp_path: Path) -> Autograder:
    return make_autograder(tmp_path)


def field_ids(problem_set: str) -> list[str]:
    return list(ProblemCatalog().compiled(problem_set).fields)


def cli_grade(
    path: Path, problem_set: str, student: str | None, capsys: pytest.CaptureFixture[str]
) -> dict[str, object]:
    capsys.readouterr()
    variant = [] if student is None else ["--student", student]
    assert main(["grade", "--problem-set", problem_set, *variant, str(path)]) == 0
    report: dict[str, object] = json.loads(capsys.readouterr().out)
    return report


@pytest.mark.parametrize("problem_set", ["dl-ex1", "eecs182-hw5"])
def test_the_total_is_the_one_dlgrade_grade_gives(
    autograder: Autograder, problem_set: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = autograder.submit("answers.json", (EXAMPLES / f"{problem_set}.json").read_text())
    autograder.submitted_by(ADA)
    assert autograder.run("--problem-set", problem_set, sandboxed=True) == 0
    results = autograder.read()
    # The metadata's email, as `dlgrade grade --student` takes it, picks the same variant.
    report = cli_grade(path, problem_set, "ada@example.edu", capsys)
    assert results.score == report["total"] and 0 < results.score
    assert [test.name for test in results.tests] == field_ids(problem_set)
    assert results.score == pytest.approx(sum(test.score for test in results.tests))
    fields = report["fields"]
    assert isinstance(fields, list)
    scores = {test.name: test.score for test in results.tests}
    assert {field["field"]: field["score"] for field in fields} == {
        name: scores[name] for name in (field["field"] for field in fields)
    }
    assert sum(test.max_score for test in results.tests) == report["max_total"]


def test_each_test_says_how_the_answer_was_read_and_the_feedback(
    autograder: Autograder,
) -> None:
    autograder.submit("answers.json", (EXAMPLES / "eecs182-hw5.json").read_text())
    assert autograder.run("--problem-set", "eecs182-hw5") == 0
    tests = {test.name: test for test in autograder.read().tests}
    layernorm = tests["q2.a.layernorm"]
    assert layernorm.status == "failed" and layernorm.score == 0
    assert "That grouping normalizes each channel separately." in layernorm.output
    assert "incorrect" in layernorm.output and "Read as: " in layernorm.output
    assert all(test.visibility == "visible" for test in tests.values())


def test_a_variant_is_the_submitters_and_the_published_numbers_without_metadata(
    autograder: Autograder,
) -> None:
    autograder.submit("answers.json", '{"answers": {"q1.a": "m x 10"}}')
    verdicts = set()
    for user in ({"email": f"student{n}@example.edu"} for n in range(6)):
        autograder.submitted_by(user)
        assert autograder.run("--problem-set", "dl-ex1") == 0
        verdicts.add(autograder.read().tests[0].status)
    # "m x 10" holds for the published n_in = 10 only; the drawn ones mostly differ.
    assert "failed" in verdicts
    autograder.metadata.unlink()
    assert autograder.run("--problem-set", "dl-ex1") == 0
    results = autograder.read()
    assert "published numbers" in results.output and results.tests[0].status == "passed"


def test_a_one_row_csv_or_jsonl_file_grades_as_the_json_does(autograder: Autograder) -> None:
    answers = {"q1.a": "m x 10", "q1.b.W_h": "50 x 10", "q2.total": "903,400"}
    autograder.submit("answers.json", json.dumps({"answers": answers}))
    assert autograder.run("--problem-set", "dl-ex1", "--variant-key", "published") == 0
    expected = autograder.read().score
    (autograder.submission / "answers.json").unlink()
    rows = {
        "row.csv": 'student,q1.a,q1.b.W_h,q2.total\nada,m x 10,50 x 10,"903,400"\n',
        "row.jsonl": json.dumps({"student": "ada", "answers": answers}) + "\n",
    }
    for name, content in rows.items():
        path = autograder.submit(name, content)
        assert autograder.run("--problem-set", "dl-ex1", "--variant-key", "published") == 0
        assert autograder.read().score == expected > 0, name
        path.unlink()


def nested(depth: int) -> bytes:
    return b'{"answers": ' + b"[" * depth + b"]" * depth + b"}"


HOSTILE = [
    ({}, "no answers file"),
    ({"notes.txt": "hello"}, "no answers file"),
    ({"a.json": '{"answers": {}}', "b.csv": "student\n"}, "several answers files"),
    ({"answers.json": b" " * 1_000_001}, "larger than 1,000,000 bytes"),
    ({"answers.json": b"\x89PNG\r\n\x1a\n\x00\xff\xfe"}, "not UTF-8"),
    ({"answers.json": nested(100_000)}, "nested too deeply"),
    ({"answers.json": "not json"}, "not valid JSON"),
    ({"answers.json": '{"answers": {"q1.a": "1", "q1.a": "2"}}'}, "appears twice"),
    ({"answers.json": '["q1.a"]'}, 'must hold an object {"answers"'),
    ({"answers.json": '{"answers": {"q1.a": "1"}, "answer": {}}'}, "unknown keys"),
    ({"answers.json": '{"answers": {"q9.z": "1"}}'}, "unknown field ids"),
    ({"answers.json": '{"answers": {"q1.a": 5}}'}, "are not text"),
    ({"answers.json": json.dumps({"answers": {"q1.a": "x" * 3000}})}, "longer than 2,000"),
    ({"answers.json": '{"answers": {}}'}, "answers nothing"),
    ({"answers.json": '{"answers": {"q4.baseline": "../../etc/passwd.pt"}}'}, "holds no file"),
    ({"answers.json": '{"answers": {"q4.baseline": "model.exe"}}'}, "must name a model file"),
    (
        {"answers.json": '{"answers": {"q1.a": "1"}, "checkpoints": {"q1.a": {}}}'},
        "not an upload field",
    ),
    (
        {
            "answers.json": '{"answers": {"q4.baseline": "m.pt"}, '
            '"checkpoints": {"q4.baseline": {"mean": "__import__(\'os\')"}}}',
            "m.pt": b"\x80\x04N.",
        },
        "options of q4.baseline are not valid",
    ),
    ({"row.csv": "q1.a\nm x 10\n"}, "no column called 'student'"),
    ({"row.csv": "student,q1.a\nada,m x 10\nbo,m x 10\n"}, "holds 2 rows"),
    ({"row.jsonl": "[1]\n"}, "must be one JSON object"),
    ({"row.jsonl": ""}, "no rows"),
    ({"row.csv": "student,q1.a\nada," + "x" * 200_000 + "\n"}, "field larger than field limit"),
    ({"row.csv": 'student,q1.a\n"ada,unterminated\n'}, "not valid CSV"),
    ({"answers.json": '{"answers": {"q1.a": "m x 10"}}'.encode("utf-16")}, "not UTF-8"),
]


@pytest.mark.parametrize(("files", "message"), HOSTILE)
def test_a_broken_submission_gets_score_0_and_what_to_fix(
    autograder: Autograder, files: dict[str, str | bytes], message: str
) -> None:
    for name, content in files.items():
        autograder.submit(name, content)
    assert autograder.run("--problem-set", "dl-ex1") == 0
    results = autograder.read()
    assert results.score == 0
    assert message in results.output
    assert [test.name for test in results.tests] == field_ids("dl-ex1")
    assert all(test.score == 0 and test.status == "failed" for test in results.tests)


@pytest.mark.parametrize("kind", ["file link", "directory link", "pipe"])
def test_links_and_pipes_are_never_followed_or_opened(autograder: Autograder, kind: str) -> None:
    outside = autograder.root.parent / "outside"
    outside.mkdir()
    (outside / "answers.json").write_text((EXAMPLES / "dl-ex1.json").read_text())
    if kind == "file link":
        (autograder.submission / "answers.json").symlink_to(outside / "answers.json")
    elif kind == "directory link":
        (autograder.submission / "work").symlink_to(outside)
    else:
        os.mkfifo(autograder.submission / "answers.json")
    assert autograder.run("--problem-set", "dl-ex1") == 0
    results = autograder.read()
    assert results.score == 0 and "no answers file" in results.output
    if kind != "pipe":
        assert "is a link and was not followed" in results.output


def test_the_setup_settings_choose_the_problem_set_and_the_visibility(
    autograder: Autograder,
) -> None:
    autograder.settings.write_text(
        json.dumps({"problem_set": "eecs182-hw5", "visibility": "after_published"})
    )
    autograder.submit("answers.json", (EXAMPLES / "eecs182-hw5.json").read_text())
    assert autograder.run() == 0
    results = autograder.read()
    assert [test.name for test in results.tests] == field_ids("eecs182-hw5")
    assert results.visibility == "after_published"
    assert {test.visibility for test in results.tests} == {"after_published"}
    assert results.stdout_visibility == "hidden"


@pytest.mark.parametrize(
    ("settings", "options", "message"),
    [
        (None, [], "No problem set"),
        ('{"problem_set": "nope"}', [], "There is no problem set 'nope'"),
        ('{"problem_set": "dl-ex1", "visibility": "always"}', [], "settings are not valid"),
        ("[" * 10_000, [], "settings are not valid"),
        (None, ["--problem-set", "nope"], "There is no problem set 'nope'"),
    ],
)
def test_a_broken_setup_still_writes_results_that_say_so(
    autograder: Autograder, settings: str | None, options: list[str], message: str
) -> None:
    if settings is not None:
        autograder.settings.write_text(settings)
    autograder.submit("answers.json", (EXAMPLES / "dl-ex1.json").read_text())
    assert autograder.run(*options) == 0
    results = autograder.read()
    assert results.score == 0 and message in results.output and results.tests == []


def test_results_that_cannot_be_written_exit_2(
    autograder: Autograder, capsys: pytest.CaptureFixture[str]
) -> None:
    autograder.submit("answers.json", (EXAMPLES / "dl-ex1.json").read_text())
    blocked = autograder.root / "results"
    blocked.rmdir()
    blocked.write_text("a file where the directory should be")
    assert autograder.run("--problem-set", "dl-ex1") == 2
    assert "cannot write" in capsys.readouterr().err


@pytest.fixture(scope="module")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """A LeNet-5 trained briefly on a slice of Fashion-MNIST, and its test accuracy as a plain
    loop measures it."""
    from app.checkpoints.dataset import LabeledImages, load_split
    from tests.checkpoints.trained import (
        FASHION_MNIST,
        RECIPES,
        one_torch_thread,
        plain_predictions,
        save,
        train,
    )

    if not (FASHION_MNIST / "t10k-images-idx3-ubyte.gz").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"Fashion-MNIST is not at {FASHION_MNIST}")
        pytest.skip(f"Fashion-MNIST is not at {FASHION_MNIST}")
    recipe = RECIPES["plain"]
    with one_torch_thread():
        split = load_split(FASHION_MNIST, "train")
        state = train(recipe, LabeledImages(split.images[:5000], split.labels[:5000]))
        test = load_split(FASHION_MNIST, "test")
        predictions = plain_predictions(recipe.options, recipe.preprocessing, state, test.images)
    tensors, _ = save("baseline", state, tmp_path_factory.mktemp("model"))
    return tensors, float((predictions == test.labels).double().mean())


def test_a_model_file_is_evaluated_as_its_upload_is(
    autograder: Autograder,
    trained_model: tuple[Path, float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.checkpoints.worker import evaluate_upload
    from tests.checkpoints.test_worker import spec_for
    from tests.checkpoints.trained import FASHION_MNIST

    monkeypatch.setenv("DLGRADE_DATASET_DIR", str(FASHION_MNIST))
    monkeypatch.setenv("DLGRADE_DEVICE", "cpu")
    model, accuracy = trained_model
    autograder.submit("models/baseline.safetensors", model.read_bytes())
    options = {"mean": 0.2860, "std": 0.3530, "claimed_test_accuracy": "50%"}
    answers = {"q1.a": "m x 10", "q4.baseline": "models/baseline.safetensors"}
    autograder.submit(
        "answers.json", json.dumps({"answers": answers, "checkpoints": {"q4.baseline": options}})
    )
    assert autograder.run("--problem-set", "dl-ex1", "--variant-key", "published") == 0
    tests = {test.name: test for test in autograder.read().tests}
    baseline = tests["q4.baseline"]
    assert f"test accuracy {100 * accuracy:.2f}\\%" in baseline.output
    # The service's own evaluation of the same file, in this process: the same grade.
    spec = spec_for(
        model,
        FASHION_MNIST,
        preprocessing={"mean": 0.2860, "std": 0.3530},
        claims={"test_accuracy": 0.5, "train_accuracy": None},
    )
    grade = evaluate_upload(spec)["grade"]
    assert baseline.score == grade["score"] > 0
    assert grade["feedback"] in baseline.output
    assert tests["q1.a"].status == "passed"
    assert autograder.read().score == pytest.approx(baseline.score + tests["q1.a"].score)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (
            b"\x80\x04\x95\x15\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x8c\x06system\x93.",
            "can run code",
        ),
        (b"hello, not a model", "not a safetensors or PyTorch file"),
    ],
)
def test_a_hostile_model_file_is_refused_before_anything_reads_it(
    autograder: Autograder, content: bytes, message: str
) -> None:
    autograder.submit("m.pt", content)
    autograder.submit("answers.json", '{"answers": {"q4.baseline": "m.pt"}}')
    assert autograder.run("--problem-set", "dl-ex1") == 0
    baseline = {test.name: test for test in autograder.read().tests}["q4.baseline"]
    assert baseline.score == 0 and "invalid" in baseline.output and message in baseline.output


@pytest.mark.parametrize(("problem_set", "fetches"), [("dl-ex1", True), ("eecs182-hw5", False)])
def test_prepare_loads_the_problem_set_and_the_dataset_it_needs(
    autograder: Autograder,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    problem_set: str,
    fetches: bool,
) -> None:
    from tests.checkpoints.trained import FASHION_MNIST

    if fetches and not (FASHION_MNIST / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"Fashion-MNIST is not at {FASHION_MNIST}")
    monkeypatch.setenv("DLGRADE_DATASET_DIR", str(FASHION_MNIST))
    assert autograder.run("--problem-set", problem_set, "--prepare") == 0
    out = capsys.readouterr().out
    assert f"{problem_set} loaded" in out
    assert ("Fashion-MNIST is in" in out) == fetches
    assert not autograder.results.exists()


def test_a_model_over_the_size_limit_is_refused_unread(
    autograder: Autograder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DLGRADE_MAX_CHECKPOINT_BYTES", "1000")
    autograder.submit("m.safetensors", b"\x00" * 5000)
    autograder.submit("answers.json", '{"answers": {"q4.baseline": "m.safetensors"}}')
    assert autograder.run("--problem-set", "dl-ex1") == 0
    baseline = {test.name: test for test in autograder.read().tests}["q4.baseline"]
    assert baseline.score == 0 and "larger than 1,000 bytes" in baseline.output


def test_the_walk_is_bounded_in_entries_and_depth(autograder: Autograder) -> None:
    autograder.submit("answers.json", '{"answers": {"q1.a": "m x 10"}}')
    for number in range(600):
        autograder.submit(f"noise/{number:03}.txt", "")
    assert autograder.run("--problem-set", "dl-ex1", "--variant-key", "published") == 0
    results = autograder.read()
    assert results.score > 0 and "Only the first 500 entries were looked at." in results.output
    (autograder.submission / "answers.json").unlink()
    autograder.submit("/".join(["deep"] * 20) + "/answers.json", '{"answers": {"q1.a": "m"}}')
    assert autograder.run("--problem-set", "dl-ex1") == 0
    assert "no answers file" in autograder.read().output


def test_prepare_refuses_a_broken_setup_and_writes_no_results(
    autograder: Autograder, capsys: pytest.CaptureFixture[str]
) -> None:
    assert autograder.run("--prepare") == 2
    assert "No problem set" in capsys.readouterr().err
    assert autograder.run("--prepare", "--problem-set", "nope") == 2
    assert "no problem set 'nope'" in capsys.readouterr().err
    assert not autograder.results.exists()
