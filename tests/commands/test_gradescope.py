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
