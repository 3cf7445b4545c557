"""`dlgrade batch`, embedded: a generated class graded into a local database, the grade book
written whole, a second run storing nothing, bad rows listed (escaped), refused files leaving
no output; evaluations of model files waited for."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import safetensors.torch
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app.checkpoints.architecture import LeNetOptions, build
from app.db.models import FieldGrade, Job
from tests.batches.classgen import MODEL_FIELD, generate
from tests.commands.conftest import (
    LocalClass,
    assert_book_matches,
    batch_argv,
    local_env,
    read_csv,
    run,
)
from tests.conftest import FASHION_MNIST_DIR


def summary_counts(out: str) -> dict[str, str]:
    """The summary's `name  value` lines."""
    counts = {}
    for line in out.splitlines():
        if line.startswith("  ") and not line.startswith("  line "):
            name, _, value = line.strip().partition("  ")
            counts[name] = value.strip()
    return counts


def test_a_class_is_graded_into_the_database_and_the_grade_book_written(
    local_class: LocalClass,
) -> None:
    generated, first = local_class.generated, local_class.first
    assert first.status == 0, first.err
    counts = summary_counts(first.out)
    assert counts["stored"] == str(len(generated.good))
    assert counts["unchanged"] == "0"
    assert counts["failed"] == str(len(generated.bad))
    assert counts["students created"] == str(len(generated.students))
    assert counts["evaluations"] == "0 (0 failed)"
    rows = read_csv(local_class.out)
    assert {row["name"] for row in rows} == generated.students
    assert_book_matches(rows, generated)
    totals = [row.total for row in generated.good]
    assert counts["mean total"].startswith(f"{sum(totals) / len(totals):.2f} of 100 ")
    assert f"{len(generated.rows)} rows read from {generated.filename}" in first.out
    assert "rows" in first.err and f"{len(generated.rows)}/{len(generated.rows)}" in first.err


def test_bad_rows_are_listed_with_their_lines(local_class: LocalClass) -> None:
    listed = [line for line in local_class.first.out.splitlines() if line.startswith("  line ")]
    assert len(listed) == len(local_class.generated.bad)
    for line, expected in zip(listed, local_class.generated.bad, strict=True):
        assert line.startswith(f"  line {expected.line}")
        assert expected.bad is not None and expected.bad in line


def test_a_second_run_stores_nothing_and_writes_the_same_book(
    local_class: LocalClass, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    local_env(monkeypatch, local_class.data_dir)
    out = tmp_path / "again.csv"
    argv = batch_argv(local_class.class_file, out, "--create-students", "--published-numbers")
    again = run(argv)
    assert again.status == 0, again.err
    counts = summary_counts(again.out)
    assert (counts["stored"], counts["students created"]) == ("0", "0")
    assert counts["unchanged"] == str(len(local_class.generated.good))
    assert out.read_bytes() == local_class.out.read_bytes()


def test_the_canvas_format(
    local_class: LocalClass, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    local_env(monkeypatch, local_class.data_dir)
    out = tmp_path / "canvas.csv"
    argv = batch_argv(local_class.class_file, out, "--format", "canvas", "--published-numbers")
    assert run(argv).status == 0
    rows = read_csv(out)
    assert rows[0]["Student"] == "Points Possible"
    logins = {row["SIS Login ID"] for row in rows[1:]}
    assert logins == local_class.generated.students


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("class.txt", b"student,q1.a\nada,m x 10\n", "not a class file"),
        ("class.csv", b"", "empty"),
        ("class.zip", b"PK\x03\x04 not really", "ZIP"),
        ("class.csv", "name,q1.a\nada,1\n".encode("utf-16"), "UTF-8"),
        ("class.csv", b"name,q1.a\nada,1\n", "no column called 'student'"),
        ("class.jsonl", b"\n\n", "no rows"),
    ],
)
def test_a_refused_file_exits_2_and_writes_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    filename: str,
    content: bytes,
    message: str,
) -> None:
    local_env(monkeypatch, tmp_path / "data")
    class_file = tmp_path / filename
    class_file.write_bytes(content)
    out = tmp_path / "grades.csv"
    ran = run(batch_argv(class_file, out, "--create-students"))
    assert (ran.status, ran.out) == (2, "")
    assert ran.err.startswith("dlgrade: ") and message.lower() in ran.err.lower()
    assert not out.exists()
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


@pytest.mark.parametrize(
    ("argv_of", "message"),
    [
        (lambda tmp: batch_argv(tmp / "missing.jsonl", tmp / "g.csv"), "no such file"),
        (lambda tmp: batch_argv(tmp / "class.jsonl", tmp / "no" / "g.csv"), "does not exist"),
        (lambda tmp: batch_argv(tmp / "class.jsonl", tmp), "is a directory"),
        (lambda tmp: batch_argv(tmp / "class.jsonl", tmp / "g.csv", "--token", "t"), "--server"),
        (
            lambda tmp: ["--problems", str(tmp), *batch_argv(tmp / "class.jsonl", tmp / "g.csv")],
            "DLGRADE_PROBLEMS_DIR",
        ),
    ],
)
def test_bad_arguments_exit_2_before_any_work(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv_of: Callable[[Path], list[str]],
    message: str,
) -> None:
    local_env(monkeypatch, tmp_path / "data")
    (tmp_path / "class.jsonl").write_text('{"student": "ada", "answers": {"q1.a": "m x 10"}}\n')
    ran = run(argv_of(tmp_path))
    assert (ran.status, ran.out) == (2, "")
    assert message in ran.err
    assert not (tmp_path / "data").exists()


def test_an_unknown_problem_set_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    local_env(monkeypatch, tmp_path / "data")
    class_file = tmp_path / "class.jsonl"
    class_file.write_text('{"student": "ada", "answers": {"q1.a": "m x 10"}}\n')
    argv = ["batch", str(class_file), "--problem-set", "nope", "--out", str(tmp_path / "g.csv")]
    ran = run(argv)
    assert ran.status == 2 and "no problem set 'nope'" in ran.err
    assert not (tmp_path / "g.csv").exists()


HOSTILE_NAMES = [
    "[bold red]boss[/]",
    "\x1b[2J\x1b[31mcleared",
    "\u202eevil",
    "x" * 5000,
]


def test_bad_rows_are_shown_escaped_and_at_most_twenty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_env(monkeypatch, tmp_path / "data")
    names = HOSTILE_NAMES + [f"someone-{index}" for index in range(21)]
    lines = [json.dumps({"student": name, "answers": {"q9.z": "[/]"}}) for name in names]
    lines.append(json.dumps({"student": "ada", "answers": {"q2.total": "12345"}}))
    class_file = tmp_path / "class.jsonl"
    class_file.write_text("\n".join(lines) + "\n")
    ran = run(batch_argv(class_file, tmp_path / "g.csv", "--create-students"))
    assert ran.status == 0, ran.err
    counts = summary_counts(ran.out)
    assert (counts["stored"], counts["failed"]) == ("1", str(len(names)))
    listed = [line for line in ran.out.splitlines() if line.startswith("  line ")]
    assert len(listed) == 20
    assert f"  and {len(names) - 20} more" in ran.out
    assert "[bold red]boss[/]" in listed[0]
    assert ran.out.isascii() and all(line.isprintable() for line in ran.out.splitlines())
    assert max(len(line) for line in ran.out.splitlines()) < 1000
    assert [row["name"] for row in read_csv(tmp_path / "g.csv")] == ["ada"]


def test_without_create_students_unknown_names_are_bad_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_env(monkeypatch, tmp_path / "data")
    generated = generate(5, format="csv", prefix="stranger")
    class_file = tmp_path / generated.filename
    class_file.write_bytes(generated.content)
    ran = run(batch_argv(class_file, tmp_path / "g.csv", "--published-numbers"))
    assert ran.status == 0, ran.err
    counts = summary_counts(ran.out)
    assert (counts["stored"], counts["failed"]) == ("0", str(len(generated.rows)))
    assert counts["mean total"].startswith("none")
    assert read_csv(tmp_path / "g.csv") == []


def test_model_files_are_evaluated_before_the_grade_book_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not (FASHION_MNIST_DIR / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"Fashion-MNIST is not at {FASHION_MNIST_DIR}")
    local_env(monkeypatch, tmp_path / "data", dataset_dir=str(FASHION_MNIST_DIR))
    model = safetensors.torch.save(build(LeNetOptions()).state_dict())
    generated = generate(4, format="zip", models={"a.safetensors": model, "b.safetensors": model})
    class_file = tmp_path / generated.filename
    class_file.write_bytes(generated.content)
    ran = run(
        batch_argv(class_file, tmp_path / "g.csv", "--create-students", "--published-numbers")
    )
    assert ran.status == 0, ran.err
    assert summary_counts(ran.out)["evaluations"] == "2 (0 failed)"
    assert "evaluations" in ran.err and "2/2" in ran.err
    engine = create_engine(f"sqlite:///{tmp_path / 'data' / 'dlgrade.db'}")
    with Session(engine) as session:
        statuses = session.scalars(select(Job.status).where(Job.kind != "batches.import")).all()
        graded = select(func.count()).where(FieldGrade.field == MODEL_FIELD)
        assert (sorted(statuses), session.scalar(graded)) == (["done", "done"], 2)
    engine.dispose()
    with_models = [row for row in generated.good if row.model is not None]
    rows = {row["name"]: row for row in read_csv(tmp_path / "g.csv")}
    for row in with_models:
        assert rows[row.student or ""]["q4"] != ""
