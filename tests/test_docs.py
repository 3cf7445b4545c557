"""The README is the front door: its commands are the ones CI and the container run, and its
example works as pasted."""

import json
import re
from pathlib import Path

import pytest

from app.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def code_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)


def test_readme_starts_with_the_two_setup_commands() -> None:
    first = code_blocks()[0]
    assert README.index("```sh") < README.index("\n## ")
    assert [line.split("#")[0].strip() for line in first.strip().splitlines()] == [
        "make run",
        "make test",
    ]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    setup = ("#", "set ", "cd ", "export ", "DLGRADE_TEST_POSTGRES_URL=")
    commands = [line for line in script.splitlines() if line and not line.startswith(setup)]
    assert commands == ["make test"]


def test_the_container_starts_with_the_readme_run_command() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    entry = re.search(r"^(?:ENTRYPOINT|CMD) (\[.*\])$", dockerfile, flags=re.MULTILINE)
    assert entry is not None
    assert json.loads(entry.group(1)) == ["make", "run"]


def test_the_grading_example_works_as_pasted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    block = next(block for block in code_blocks() if "answers.json" in block)
    heredoc = re.search(r"<<'JSON'\n(.*?)\nJSON\n", block, flags=re.DOTALL)
    assert heredoc is not None
    (tmp_path / "answers.json").write_text(heredoc.group(1))
    command = block.strip().splitlines()[-1].split()
    assert command[0] == ".venv/bin/dlgrade"
    argv = [str(tmp_path / arg) if arg == "answers.json" else arg for arg in command[1:]]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    verdicts = {field["field"]: field["verdict"] for field in report["fields"]}
    assert verdicts == {
        "q1.a": "correct",
        "q1.b.W_h": "partial",
        "q2.total": "correct",
        "q3.c": "correct",
    }
