"""`dlgrade rules export`: the answer rules of the local database or of a service, as the
problem-file fragment the API serves; an unknown problem set is refused with status 2."""

import argparse
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.commands import local
from app.commands.remote import Connect
from app.db.engine import transaction
from app.db.models import Role
from app.rules import service as rules
from app.rules.schemas import RuleCreate
from app.users.service import issue
from tests.commands.conftest import api_get, local_env, remote_argv, run
from tests.conftest import People

EXPORT = "/api/v1/problem-sets/dl-ex1/rules/export"
RULE = {
    "field": "q1.b.W_h",
    "answer": "3 x 3",
    "verdict": "partial",
    "credit": 0.25,
    "note": "kernel shape",
    "feedback": "This is the kernel's shape, not the weight matrix's.",
}


def add_local_rule() -> None:
    """Store RULE in the local database, as an instructor there."""
    args = argparse.Namespace(problems=None, command="rules")
    with local.running(args, grading=False) as services, transaction(services.sessions) as session:
        instructor = issue(session, name="instructor", role=Role.INSTRUCTOR)
        rules.create(services, session, instructor.user, "dl-ex1", RuleCreate(**RULE))


def api_post_rule(app: FastAPI, people: People) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    response = client.post(
        EXPORT.removesuffix("/export"), json=RULE, headers=People.auth(people.instructor)
    )
    assert response.status_code == 201, response.text


def test_the_local_rules_print_as_problem_file_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_env(monkeypatch, tmp_path / "data")
    add_local_rule()

    ran = run(["rules", "export", "dl-ex1"])

    assert ran.status == 0, ran.err
    [mistake] = yaml.safe_load(ran.out)["q1.b.W_h"]["mistakes"]
    assert mistake == {
        "name": RULE["note"],
        "parsed": r"3 \times 3",
        "feedback": RULE["feedback"],
        "credit": RULE["credit"],
    }
    out = tmp_path / "rules.yaml"
    written = run(["rules", "export", "dl-ex1", "--out", str(out)])
    assert written.status == 0, written.err
    assert out.read_text() == ran.out


def test_the_service_rules_are_written_as_served(
    tmp_path: Path, connect: Connect, job_app: FastAPI, people: People
) -> None:
    api_post_rule(job_app, people)
    out = tmp_path / "rules.yaml"

    ran = run(
        remote_argv(["rules", "export", "dl-ex1", "--out", str(out)], people.instructor),
        connect=connect,
    )

    assert ran.status == 0, ran.err
    assert out.read_bytes() == api_get(job_app, EXPORT, people.instructor)
    assert "kernel shape" in out.read_text()


@pytest.mark.parametrize("problem_set", ["no-such-set", "../dl-ex1", "dl-ex1\n"])
def test_an_unknown_problem_set_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, problem_set: str
) -> None:
    local_env(monkeypatch, tmp_path / "data")
    ran = run(["rules", "export", problem_set])
    assert ran.status == 2
    assert "dlgrade:" in ran.err and ran.out == ""
