"""The README is the front door: its commands are the ones CI and the container run, and its
example works as pasted."""

import json
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.cli import main
from app.config import Settings

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
    # Set-up lines only: options, the PostgreSQL and Redis servers, the browser the tests need,
    # and the image's build and smoke test.
    setup = (
        "#",
        "set ",
        "cd ",
        "export ",
        "DLGRADE_TEST_POSTGRES_URL=",
        "DLGRADE_TEST_REDIS_URL=",
        "bash .ci/chromium.sh",
        "bash .ci/container.sh",
    )
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


def test_make_run_serves_the_api() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^run: .*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert recipe is not None
    assert [line.strip() for line in recipe.group(1).splitlines()] == ["$(BIN)/dlgrade serve"]


def dockerfile_env() -> dict[str, str]:
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    env = re.search(r"^ENV (.*)$", dockerfile, flags=re.MULTILINE)
    assert env is not None
    return dict(pair.split("=", 1) for pair in env.group(1).split())


def test_the_container_serves_on_all_interfaces_as_a_plain_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    env = dockerfile_env()
    assert env["DLGRADE_HOST"] == "0.0.0.0"
    volume = re.search(r"^VOLUME (.*)$", dockerfile, flags=re.MULTILINE)
    assert volume is not None and volume.group(1) == env["DLGRADE_DATA_DIR"]
    user = re.search(r"^USER (.*)$", dockerfile, flags=re.MULTILINE)
    assert user is not None and user.group(1) not in {"root", "0"}
    health = re.search(r"^HEALTHCHECK .*\n\s+CMD (\[.*\])$", dockerfile, flags=re.MULTILINE)
    assert health is not None
    probe = json.loads(health.group(1))
    assert probe[:2] == ["python", "-c"] and "/healthz" in probe[2]


def compose_service() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    service: dict[str, Any] = compose["services"]["dlgrade"]
    return service


def test_compose_runs_production_on_postgresql_with_a_required_token() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    env = compose_service()["environment"]
    assert env["DLGRADE_ENVIRONMENT"] == "production"
    assert env["DLGRADE_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@postgres:5432/" in env["DLGRADE_DATABASE_URL"]
    assert re.fullmatch(r"\$\{DLGRADE_INSTRUCTOR_TOKEN:\?.+\}", env["DLGRADE_INSTRUCTOR_TOKEN"])
    postgres = compose["services"]["postgres"]
    assert postgres["image"] == "postgres:15" and "healthcheck" in postgres
    assert compose_service()["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_setting_the_docs_name_exists() -> None:
    named = set(re.findall(r"\bDLGRADE_[A-Z_]+[A-Z]\b", README))
    named |= set(dockerfile_env())
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    for service in compose["services"].values():
        named |= set(service.get("environment", {}))
    named = {name for name in named if name.startswith("DLGRADE_")}
    # Read by the test suite and by the command line's --server mode, not by the service.
    named -= {"DLGRADE_TEST_POSTGRES_URL", "DLGRADE_TEST_REDIS_URL", "DLGRADE_TOKEN"}
    fields = {f"DLGRADE_{name.upper()}" for name in Settings.model_fields}
    assert named and named <= fields, named - fields


def test_the_gradescope_examples_work_as_pasted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    setup = next(block for block in code_blocks() if "gradescope-setup --out" in block).split()
    block = next(block for block in code_blocks() if "dlgrade gradescope --problem-set" in block)
    lines = block.replace("\\\n", " ").strip().splitlines()
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    subprocess.run(["bash", "-c", "\n".join(lines[:-1])], cwd=tmp_path, check=True, timeout=30)
    monkeypatch.chdir(tmp_path)
    for command in (setup, shlex.split(lines[-1])):
        assert command[0] == ".venv/bin/dlgrade"
        assert main(command[1:]) == 0
    assert (tmp_path / "gradescope-dl-ex1" / "autograder.zip").is_file()
    results = json.loads((tmp_path / "autograder/results/results.json").read_text())
    stated = re.search(r"`autograder/results/results.json` then has `score` (\d+)", README)
    assert stated is not None and results["score"] == int(stated.group(1))
    capsys.readouterr()
    assert main(["grade", "--problem-set", "eecs182-hw5", "examples/eecs182-hw5.json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == results["score"]
