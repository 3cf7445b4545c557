"""The dlgrade command: lists, grades (exit 0 whatever the score), refuses bad input (exit 2)."""

import json
from pathlib import Path

import pytest

from app.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_lists_problem_sets(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["problems"], capsys)
    assert status == 0
    assert "dl-ex1" in out and "eecs182-hw5" in out


@pytest.mark.parametrize("problem_set", ["dl-ex1", "eecs182-hw5"])
def test_grades_the_examples_in_a_sandboxed_worker(
    problem_set: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = EXAMPLES / f"{problem_set}.json"
    status, out, _ = run(["grade", "--problem-set", problem_set, str(path)], capsys)
    report = json.loads(out)
    answers = json.loads(path.read_text())["answers"]
    assert status == 0
    assert report["problem_set"] == problem_set
    assert [field["field"] for field in report["fields"]] == list(answers)
    assert 0 < report["total"] < report["max_total"]
    assert report["total"] == pytest.approx(sum(field["score"] for field in report["fields"]))
    for field in report["fields"]:
        assert set(field) == {"field", "verdict", "score", "max_score", "feedback", "parsed"}


def write(tmp_path: Path, content: str) -> str:
    path = tmp_path / "answers.json"
    path.write_text(content)
    return str(path)


@pytest.mark.parametrize(
    ("content", "problem_set", "message"),
    [
        ('{"answers": {"q9.z": "1"}}', "dl-ex1", "Unknown field ids: q9.z"),
        ('{"answers": {"q1.a": 5}}', "dl-ex1", "must be a string"),
        ('{"answers": {"q1.a": "' + "x" * 3000 + '"}}', "dl-ex1", "at most 2000"),
        ('{"answers": {}}', "nope", "no problem set 'nope'"),
        ("not json", "dl-ex1", "not valid JSON"),
        ('["q1.a"]', "dl-ex1", "must hold an object"),
        ('{"answers": "m x 10"}', "dl-ex1", "must hold an object"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    tmp_path: Path,
    content: str,
    problem_set: str,
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["grade", "--in-process", "--problem-set", problem_set, write(tmp_path, content)]
    status, out, err = run(argv, capsys)
    assert status == 2
    assert out == ""
    assert message in err


def test_missing_and_oversized_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["grade", "--problem-set", "dl-ex1", str(tmp_path / "none")], capsys)
    assert status == 2 and "cannot read" in err
    big = write(tmp_path, " " * 1_000_001)
    status, _, err = run(["grade", "--problem-set", "dl-ex1", big], capsys)
    assert status == 2 and "larger than" in err


def test_student_variants_are_graded_against_their_own_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, '{"answers": {"q1.a": "m x 10"}}')
    scores = set()
    for student in ("ada", "grace", "alan", "barbara", "edsger"):
        argv = ["grade", "--in-process", "--student", student, "--problem-set", "dl-ex1", path]
        status, out, _ = run(argv, capsys)
        assert status == 0
        scores.add(json.loads(out)["fields"][0]["verdict"])
    assert "incorrect" in scores
