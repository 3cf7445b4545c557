"""`dlgrade report`: the statistics page of the local database or of a service, one HTML
file."""

from pathlib import Path

import pytest
from fastapi import FastAPI

from app.commands.remote import Connect
from tests.commands.conftest import LocalClass, api_get, local_env, remote_argv, run
from tests.conftest import People


def report_argv(out: Path) -> list[str]:
    return ["report", "--problem-set", "dl-ex1", "--out", str(out)]


def test_the_local_report(
    local_class: LocalClass, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    local_env(monkeypatch, local_class.data_dir)
    out = tmp_path / "report.html"
    ran = run(report_argv(out))
    assert ran.status == 0, ran.err
    html = out.read_text()
    assert f"({len(html.encode())} bytes)" in ran.out
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert "Deep learning basics" in html and "q3.f" in html


def test_the_service_report_is_written_as_served(
    tmp_path: Path, connect: Connect, job_app: FastAPI, people: People
) -> None:
    out = tmp_path / "report.html"
    ran = run(remote_argv(report_argv(out), people.instructor), connect=connect)
    assert ran.status == 0, ran.err
    assert out.read_bytes() == api_get(
        job_app, "/api/v1/problem-sets/dl-ex1/report", people.instructor
    )


def test_a_student_cannot_fetch_the_report(
    tmp_path: Path, connect: Connect, people: People
) -> None:
    out = tmp_path / "report.html"
    ran = run(remote_argv(report_argv(out), people.alice), connect=connect)
    assert (ran.status, ran.out) == (2, "")
    assert "(403 " in ran.err and not out.exists()
