"""`dlgrade gradescope-setup`: the files a course uploads, consistent with each other and with
the command line; run_autograder, run as Gradescope runs it on a folder laid out as Gradescope
lays it out, grades the submission with the copied sources."""

import json
import re
import shlex
import stat
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from app.cli import _parser, main
from app.gradescope.schemas import GradescopeSettings
from tests.gradescope.folder import Autograder

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ROOT_FILES = {"setup.sh", "run_autograder", "dlgrade-gradescope.json"}


def set_up(out: Path, *options: str) -> int:
    return main(["gradescope-setup", "--out", str(out), *options])


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("setup") / "autograder"
    assert set_up(out, "--problem-set", "eecs182-hw5", "--visibility", "after_due_date") == 0
    return out


def test_the_zip_holds_the_scripts_at_its_root_and_dlgrade_to_install(written: Path) -> None:
    with zipfile.ZipFile(written / "autograder.zip") as archive:
        entries = {info.filename: info for info in archive.infolist()}
    assert ROOT_FILES <= set(entries)
    assert {"problems/eecs182-hw5.yaml", "dlgrade/pyproject.toml", "dlgrade/app/cli.py"} <= set(
        entries
    )
    assert not [name for name in entries if "__pycache__" in name or name.endswith(".pyc")]
    for script in ("setup.sh", "run_autograder"):
        assert (entries[script].external_attr >> 16) & stat.S_IXUSR, script


@pytest.mark.parametrize("script", ["setup.sh", "run_autograder"])
def test_the_scripts_are_bash_that_parses(written: Path, script: str) -> None:
    text = (written / script).read_text()
    assert text.startswith("#!/usr/bin/env bash\n") and "set -euo pipefail" in text
    subprocess.run(["bash", "-n", str(written / script)], check=True, timeout=30)


def dlgrade_arguments(script: str) -> list[str]:
    """The arguments after `dlgrade` of the script's call, with the shell's paths as written."""
    joined = script.replace("\\\n", " ")
    array = re.search(r"^DLGRADE=\((.*)\)$", joined, flags=re.MULTILINE)
    call = re.search(r'^(?:exec )?"\$\{DLGRADE\[@\]\}"(.*)$', joined, flags=re.MULTILINE)
    assert array is not None and call is not None
    words = shlex.split(array.group(1)) + shlex.split(call.group(1))
    assert words[0] == "$SOURCE/venv/bin/dlgrade"
    return words[1:]


@pytest.mark.parametrize(("script", "flag"), [("setup.sh", "--prepare"), ("run_autograder", "")])
def test_the_scripts_call_the_command_that_exists(written: Path, script: str, flag: str) -> None:
    arguments = dlgrade_arguments((written / script).read_text())
    args = _parser().parse_args(arguments)
    assert args.command == "gradescope"
    assert args.prepare == (flag == "--prepare")
    assert args.settings == Path("$SOURCE/dlgrade-gradescope.json")
    assert args.problems == Path("$SOURCE/problems")
    if script == "run_autograder":
        assert args.submission_dir == Path("$ROOT/submission")
        assert args.results == Path("$ROOT/results/results.json")
        assert args.metadata == Path("$ROOT/submission_metadata.json")


def test_the_settings_and_the_torch_pin_are_the_ones_chosen(written: Path) -> None:
    settings = GradescopeSettings.model_validate_json(
        (written / "dlgrade-gradescope.json").read_text()
    )
    assert settings == GradescopeSettings(problem_set="eecs182-hw5", visibility="after_due_date")
    torch = metadata.version("torch").split("+")[0]
    assert (
        f"torch=={torch} --index-url https://download.pytorch.org/whl/cpu"
        in (written / "setup.sh").read_text()
    )


@pytest.mark.parametrize(
    ("options", "existing", "message"),
    [
        (["--problem-set", "nope"], None, "no problem set 'nope'"),
        (["--problem-set", "dl-ex1"], "file.txt", "not an empty directory"),
        (["--problem-set", "dl-ex1", "--visibility", "sometimes"], None, None),
    ],
)
def test_the_setup_refuses_what_it_cannot_write(
    tmp_path: Path,
    options: list[str],
    existing: str | None,
    message: str | None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    if existing is not None:
        out.mkdir()
        (out / existing).write_text("keep me")
    if message is None:
        with pytest.raises(SystemExit):
            set_up(out, *options)
        return
    assert set_up(out, *options) == 2
    assert message in capsys.readouterr().err
    assert existing is None or (out / existing).read_text() == "keep me"


def unzipped(written: Path, source: Path) -> None:
    """As Gradescope extracts the zip into /autograder/source, modes included."""
    with zipfile.ZipFile(written / "autograder.zip") as archive:
        for info in archive.infolist():
            archive.extract(info, source)
            (source / info.filename).chmod((info.external_attr >> 16) & 0o777)


def test_run_autograder_grades_with_the_copied_sources(
    written: Path, autograder: Autograder, capsys: pytest.CaptureFixture[str]
) -> None:
    source = autograder.root / "source"
    unzipped(written, source)
    # The virtual environment setup.sh makes: here a dlgrade that runs the copied sources.
    shim = source / "venv" / "bin" / "dlgrade"
    shim.parent.mkdir(parents=True)
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m app.cli "$@"\n')
    shim.chmod(0o755)
    answers = autograder.submit("answers.json", (EXAMPLES / "eecs182-hw5.json").read_text())
    autograder.submitted_by({"email": "ada@example.edu"})
    environment = {"AUTOGRADER_ROOT": str(autograder.root), "PYTHONPATH": str(source / "dlgrade")}
    done = subprocess.run(
        ["bash", str(source / "run_autograder")],
        env={"PATH": "/usr/bin:/bin", **environment},
        cwd=autograder.root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    results = autograder.read()
    assert main(["grade", "--problem-set", "eecs182-hw5", str(answers)]) == 0
    assert results.score == json.loads(capsys.readouterr().out)["total"] > 0
    assert {test.visibility for test in results.tests} == {"after_due_date"}
    assert (source / "cache").is_dir()
