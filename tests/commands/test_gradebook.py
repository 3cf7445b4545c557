"""`dlgrade gradebook`: the grade book of the local database or of a service, in each format,
written whole; the same file either way."""

import json
from pathlib import Path

import pytest
from fastapi import FastAPI

from app.commands.remote import Connect
from app.gradebook.schemas import Gradebook
from tests.commands.conftest import (
    LocalClass,
    api_get,
    assert_book_matches,
    local_env,
    read_csv,
    remote_argv,
    run,
)
from tests.conftest import People

GRADEBOOK = "/api/v1/problem-sets/dl-ex1/gradebook"


def gradebook_argv(out: Path, format: str) -> list[str]:
    return ["gradebook", "--problem-set", "dl-ex1", "--out", str(out), "--format", format]


def test_the_local_grade_book_in_each_format(
    local_class: LocalClass, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    local_env(monkeypatch, local_class.data_dir)
    written = {}
    for format in ("csv", "canvas", "json"):
        out = tmp_path / f"book.{format}"
        ran = run(gradebook_argv(out, format))
        assert ran.status == 0, ran.err
        assert f"({format}, {out.stat().st_size} bytes)" in ran.out
        written[format] = out
    # The same grade book `dlgrade batch` wrote, and the JSON holds the same scores.
    assert written["csv"].read_bytes() == local_class.out.read_bytes()
    assert_book_matches(read_csv(written["csv"]), local_class.generated)
    book = Gradebook.model_validate_json(written["json"].read_bytes())
    assert {row.name for row in book.rows} == local_class.generated.students
    assert read_csv(written["canvas"])[0]["Student"] == "Points Possible"


def test_the_service_grade_book_is_written_as_served(
    tmp_path: Path, connect: Connect, job_app: FastAPI, people: People
) -> None:
    for format in ("csv", "canvas", "json"):
        out = tmp_path / f"book.{format}"
        ran = run(remote_argv(gradebook_argv(out, format), people.instructor), connect=connect)
        assert ran.status == 0, ran.err
        served = api_get(job_app, GRADEBOOK, people.instructor, format=format)
        assert out.read_bytes() == served
    names = {row["name"] for row in json.loads((tmp_path / "book.json").read_text())["rows"]}
    assert {"alice", "bob"} <= names


def test_an_unknown_format_is_refused_by_the_parser(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as raised:
        run(gradebook_argv(tmp_path / "book.xlsx", "xlsx"))
    assert raised.value.code == 2
    assert not (tmp_path / "book.xlsx").exists()
