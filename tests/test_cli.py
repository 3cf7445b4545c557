"""The dlgrade command: lists, grades (exit 0 whatever the score), refuses bad input (exit 2),
adds instructors, parses the class commands; `serve` itself is tested in tests/test_server.py
and the class commands in tests/commands/."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.cli import _parser, main
from app.commands.remote import Connect, Remote
from app.db.models import Role
from app.users.service import authenticate

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


def write_bytes(tmp_path: Path, content: bytes) -> str:
    path = tmp_path / "answers.json"
    path.write_bytes(content)
    return str(path)


def test_a_byte_order_mark_is_not_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_bytes(tmp_path, b'\xef\xbb\xbf{"answers": {"q1.a": "m x 10"}}')
    status, out, _ = run(["grade", "--in-process", "--problem-set", "dl-ex1", path], capsys)
    assert status == 0
    assert json.loads(out)["fields"][0]["verdict"] == "correct"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"answers": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"answers": {"q2.total": ' + b"9" * 5000 + b"}}", "more than 100 digits"),
        (b'{"answers": {"q1.a": "1", "q1.a": "m x 10"}}', "appears twice"),
        (b'{"answers": {}, "answers": {"q1.a": "m x 10"}}', "appears twice"),
        ('{"answers": {"q1.a": "m × 10"}}'.encode("latin-1"), "not UTF-8"),
        ('{"answers": {"q1.a": "m x 10"}}'.encode("utf-16"), "not UTF-8"),
        (b'{"answers": {"q1.a": "m x 10"}}xyz', "not valid JSON"),
        (b'{"answers": {"q1.a": NaN}}', "must be a string"),
    ],
)
def test_odd_json_exits_2_with_a_message(
    tmp_path: Path, content: bytes, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["grade", "--in-process", "--problem-set", "dl-ex1", write_bytes(tmp_path, content)]
    status, out, err = run(argv, capsys)
    assert (status, out) == (2, "")
    assert message in err


@pytest.mark.parametrize("key", ["\u202eq1.a", "q1.a\x00", "z" * 500_000])
def test_unknown_ids_are_shown_escaped_and_short(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, json.dumps({"answers": {key: "x"}}))
    status, _, err = run(["grade", "--in-process", "--problem-set", "dl-ex1", path], capsys)
    assert status == 2 and "Unknown field ids" in err
    assert err.isascii() and err.rstrip("\n").isprintable()
    assert len(err) < 1000


@pytest.fixture
def service_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """DLGRADE_* settings for the service commands, with the data in a temp directory."""
    for name in list(os.environ):
        if name.startswith("DLGRADE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DLGRADE_DATA_DIR", str(tmp_path))
    return tmp_path


def test_create_instructor_prints_a_working_token_once(
    service_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(["create-instructor", "Grace Hopper"], capsys)
    assert status == 0
    token = out.strip()
    assert len(out.splitlines()) == 1 and len(token) >= 40
    assert "shown only once" in err and token not in err
    engine = create_engine(f"sqlite:///{service_env / 'dlgrade.db'}")
    with Session(engine) as session:
        user = authenticate(session, f"Bearer {token}")
        assert (user.name, user.role) == ("Grace Hopper", Role.INSTRUCTOR.value)
    engine.dispose()


@pytest.mark.parametrize(
    ("argv", "environment", "message"),
    [
        (["create-instructor", "line\nbreak"], {}, "cannot be used"),
        (["create-instructor", "   "], {}, "cannot be used"),
        (["create-instructor", "ada"], {"DLGRADE_PORT": "eighty"}, "DLGRADE_* settings"),
        (["serve"], {"DLGRADE_PORT": "99999"}, "DLGRADE_* settings"),
        (["serve"], {"DLGRADE_ENVIRONMENT": "production"}, "DLGRADE_DATABASE_URL"),
        (["--problems", "problems", "serve"], {}, "DLGRADE_PROBLEMS_DIR"),
        (["regrade", "--problem-set", "dl-ex1"], {"DLGRADE_PORT": "99999"}, "DLGRADE_* settings"),
        (
            ["gradebook", "--problem-set", "dl-ex1", "--out", "-"],
            {"DLGRADE_ENVIRONMENT": "production"},
            "DLGRADE_DATABASE_URL",
        ),
        (
            ["--problems", "problems", "report", "--problem-set", "dl-ex1", "--out", "r.html"],
            {},
            "DLGRADE_PROBLEMS_DIR",
        ),
    ],
)
def test_service_commands_refuse_bad_input_with_exit_2(
    service_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    environment: dict[str, str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    status, out, err = run(argv, capsys)
    assert (status, out) == (2, "")
    assert message in err
    assert not (service_env / "dlgrade.db").exists()


def test_the_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--help"])
    out = capsys.readouterr().out
    assert raised.value.code == 0
    for command in (
        "serve",
        "create-instructor",
        "problems",
        "grade",
        "batch",
        "gradebook",
        "report",
        "regrade",
        "gradescope",
        "gradescope-setup",
    ):
        assert command in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["batch", "class.jsonl", "--out", "g.csv"], "--problem-set"),
        (["batch", "class.jsonl", "--problem-set", "dl-ex1"], "--out"),
        (["batch", "--problem-set", "dl-ex1", "--out", "g.csv"], "file"),
        (["batch", "c.jsonl", "--problem-set", "x", "--out", "g", "--format", "json"], "json"),
        (["gradebook", "--problem-set", "dl-ex1", "--out", "g", "--format", "xlsx"], "xlsx"),
        (["gradebook", "--problem-set", "dl-ex1"], "--out"),
        (["report", "--problem-set", "dl-ex1"], "--out"),
        (["regrade"], "--problem-set"),
        (["regrade", "--problem-set", "dl-ex1", "--server"], "--server"),
        (["regrade", "--problem-set", "dl-ex1", "--create-students"], "--create-students"),
    ],
)
def test_the_parser_refuses_incomplete_class_commands(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    assert message in capsys.readouterr().err


def test_the_class_commands_parse_their_options() -> None:
    args = _parser().parse_args(
        [
            "batch",
            "class.zip",
            "--problem-set",
            "dl-ex1",
            "--out",
            "g.csv",
            "--format",
            "canvas",
            "--create-students",
            "--published-numbers",
            "--server",
            "https://grades.example.org",
            "--token",
            "t",
        ]
    )
    assert (args.command, args.file, args.out) == ("batch", Path("class.zip"), Path("g.csv"))
    assert (args.format, args.create_students, args.published_numbers) == ("canvas", True, True)
    assert (args.server, args.token) == ("https://grades.example.org", "t")
    plain = _parser().parse_args(["batch", "c.csv", "--problem-set", "p", "--out", "o"])
    assert (plain.format, plain.create_students, plain.published_numbers) == ("csv", False, False)
    assert (plain.server, plain.token) == (None, None)
    book = _parser().parse_args(["gradebook", "--problem-set", "p", "--out", "o"])
    assert book.format == "csv"
    # Generated tokens may start with "-"; the = form passes them.
    dashed = _parser().parse_args(["regrade", "--problem-set", "p", "--token=-x1", "--server", "u"])
    assert dashed.token == "-x1"


def test_an_interrupted_command_exits_130_and_says_a_rerun_carries_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def interrupted(server: str, token: str | None) -> Remote:
        raise KeyboardInterrupt

    argv = ["regrade", "--problem-set", "dl-ex1", "--server", "http://x.test", "--token", "t"]
    status, out, err = run_with(argv, capsys, connect=interrupted)
    assert (status, out) == (130, "")
    assert "interrupted" in err and "run again" in err


def run_with(
    argv: list[str], capsys: pytest.CaptureFixture[str], *, connect: Connect
) -> tuple[int, str, str]:
    status = main(argv, connect=connect)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


HEAVY_MODULES = ("sympy", "sqlalchemy", "matplotlib", "alembic", "httpx", "torch", "numpy")


def test_parsing_the_command_line_imports_no_heavy_module() -> None:
    # A fresh interpreter: this one has imported everything the other tests needed.
    check = (
        "import sys, app.cli; "
        f"print(' '.join(name for name in {HEAVY_MODULES!r} if name in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", check],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.stdout.split() == []
