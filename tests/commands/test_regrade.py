"""`dlgrade regrade`: after a problem file changes, every submission is graded again and the
students whose grade changed are listed with their old and new scores."""

import re
import shutil
from pathlib import Path

import pytest

from app.commands.remote import Connect
from app.problemsets.catalog import DEFAULT_DIRECTORY, ProblemCatalog
from tests.batches.classgen import generate
from tests.commands.conftest import batch_argv, local_env, read_csv, remote_argv, run
from tests.conftest import People

FIELD = "q1.b.W_h"
MISTAKE = "transposed convention"
REGRADE = ["regrade", "--problem-set", "dl-ex1"]


def lower_the_credit(problems: Path) -> None:
    """Give the transposed shape of W_h a quarter of the points instead of half."""
    path = problems / "dl-ex1.yaml"
    text = path.read_text()
    field = text.index(f"id: {FIELD}\n")
    # The mistake is the shared column-convention rule: W_h's own entry overrides its credit.
    shared = "<<: *column_convention, "
    rule = text.index(shared, field) + len(shared)
    path.write_text(text[:rule] + "credit: 0.25, " + text[rule:])


def test_a_changed_credit_changes_exactly_the_students_who_made_that_mistake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    problems = tmp_path / "problems"
    shutil.copytree(DEFAULT_DIRECTORY, problems)
    local_env(monkeypatch, tmp_path / "data", problems_dir=str(problems))
    monkeypatch.setenv("COLUMNS", "200")
    generated = generate(20, format="jsonl")
    class_file = tmp_path / generated.filename
    class_file.write_bytes(generated.content)
    before = tmp_path / "before.csv"
    argv = batch_argv(class_file, before, "--create-students", "--published-numbers")
    assert run(argv).status == 0
    max_score = ProblemCatalog(problems).compiled("dl-ex1").fields[FIELD].max_score
    lower_the_credit(problems)

    ran = run(REGRADE)

    assert ran.status == 0, ran.err
    mistaken = {
        row.student
        for row in generated.good
        if FIELD in row.results and row.results[FIELD].note == MISTAKE
    }
    assert mistaken, "the generated class should hold the mistake"
    assert f"{len(generated.good)} submissions regraded, {len(mistaken)} changed" in ran.out
    assert f"{len(mistaken)} students' grades changed" in ran.out
    listed = set(re.findall(r"student-\d{4}", ran.out))
    assert listed == mistaken
    assert f"{FIELD} {0.5 * max_score:g} -> {0.25 * max_score:g}" in ran.out
    after = tmp_path / "after.csv"
    gradebook = ["gradebook", "--problem-set", "dl-ex1", "--out", str(after)]
    assert run(gradebook).status == 0
    old = {row["name"]: float(row["q1"] or 0) for row in read_csv(before)}
    new = {row["name"]: float(row["q1"] or 0) for row in read_csv(after)}
    for name in old:
        lost = 0.25 * max_score if name in mistaken else 0.0
        assert new[name] == pytest.approx(old[name] - lost, abs=1e-5), name
    again = run(REGRADE)
    assert "0 changed; 0 students' grades changed" in again.out


def test_a_regrade_through_the_service(tmp_path: Path, connect: Connect, people: People) -> None:
    generated = generate(5, format="jsonl")
    class_file = tmp_path / generated.filename
    class_file.write_bytes(generated.content)
    argv = batch_argv(class_file, tmp_path / "g.csv", "--create-students", "--published-numbers")
    assert run(remote_argv(argv, people.instructor), connect=connect).status == 0
    ran = run(remote_argv(REGRADE, people.instructor), connect=connect)
    assert ran.status == 0, ran.err
    assert f"{len(generated.good)} submissions regraded, 0 changed" in ran.out
    assert "regrade" in ran.err and "100/100" in ran.err


def test_a_student_cannot_regrade(connect: Connect, people: People) -> None:
    ran = run(remote_argv(REGRADE, people.bob), connect=connect)
    assert (ran.status, ran.out) == (2, "")
    assert "(403 " in ran.err
