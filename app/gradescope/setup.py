"""The autograder a course uploads to Gradescope: `setup.sh` (run once, as root, when Gradescope
builds its image: installs Python, dlgrade and the CPU build of torch, then warms the caches),
`run_autograder` (run for every submission: calls `dlgrade gradescope`), the settings both
read, the problem files, dlgrade's own sources, and all of it as `autograder.zip`."""

import shutil
import stat
import zipfile
from importlib import metadata
from pathlib import Path

from app.errors import InvalidRequest
from app.gradescope.schemas import GradescopeSettings

SETTINGS_FILE = "dlgrade-gradescope.json"
ZIP_FILE = "autograder.zip"
SOURCES = ("pyproject.toml", "README.md", "app", "reference")
"""What pip needs to install dlgrade from its sources."""
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")
EXECUTABLE = 0o755
# Gradescope's base images are Ubuntu: 22.04's python3 is 3.10, so 3.11 comes from apt there.
PYTHONS = "python3.13 python3.12 python3.11"

PREAMBLE = """\
set -euo pipefail
# AUTOGRADER_ROOT stands in for /autograder when the files are tried out elsewhere.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
export DLGRADE_CACHE_DIR="$SOURCE/cache" DLGRADE_DATASET_DIR="$SOURCE/fashion-mnist"
export DLGRADE_DEVICE=cpu
DLGRADE=("$SOURCE/venv/bin/dlgrade" --problems "$SOURCE/problems" gradescope \\
    --settings "$SOURCE/%(settings)s")
"""

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
%(preamble)s
PYTHON=""
for candidate in %(pythons)s; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON="$candidate"; break; fi
done
if [ -z "$PYTHON" ] || ! "$PYTHON" -c "import ensurepip" >/dev/null 2>&1; then
    PYTHON="${PYTHON:-python3.11}"
    apt-get update
    apt-get install -y --no-install-recommends "$PYTHON" "$PYTHON-venv"
fi
"$PYTHON" -m venv "$SOURCE/venv"
# torch first, pinned, from its CPU index: PyPI's Linux wheel carries gigabytes of CUDA.
"$SOURCE/venv/bin/pip" install --quiet %(torch)s --index-url https://download.pytorch.org/whl/cpu
"$SOURCE/venv/bin/pip" install --quiet "$SOURCE/dlgrade"
# Loads the problem set once (the derived samples are cached) and fetches Fashion-MNIST when
# the problem set has model-upload fields, so that no submission waits for either.
"${DLGRADE[@]}" --prepare
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission; dlgrade writes results.json whatever the
# submission holds, and exits with 2 only when it cannot write that file.
%(preamble)s
exec "${DLGRADE[@]}" \\
    --submission-dir "$ROOT/submission" \\
    --metadata "$ROOT/submission_metadata.json" \\
    --results "$ROOT/results/results.json"
"""


def write_autograder(
    out: Path, settings: GradescopeSettings, *, problems: Path, project: Path
) -> list[Path]:
    """Write the autograder's files into `out` (new or empty) and zip them; the files written."""
    _require_empty(out)
    _require_sources(project)
    preamble = PREAMBLE % {"settings": SETTINGS_FILE}
    values = {"preamble": preamble, "pythons": PYTHONS, "torch": _torch_requirement()}
    _write(out / "setup.sh", SETUP_SH % values, mode=EXECUTABLE)
    _write(out / "run_autograder", RUN_AUTOGRADER % values, mode=EXECUTABLE)
    _write(out / SETTINGS_FILE, settings.model_dump_json(indent=2) + "\n")
    shutil.copytree(problems, out / "problems", ignore=SKIPPED)
    for name in SOURCES:
        _copy(project / name, out / "dlgrade" / name)
    return [*_zip(out), out / ZIP_FILE]


def _require_empty(out: Path) -> None:
    if out.is_symlink() or (out.exists() and (not out.is_dir() or any(out.iterdir()))):
        raise InvalidRequest(f"{out} is not an empty directory; name a new one.")
    out.mkdir(parents=True, exist_ok=True)


def _require_sources(project: Path) -> None:
    missing = [name for name in SOURCES if not (project / name).exists()]
    if missing:
        raise InvalidRequest(
            f"dlgrade's sources are not at {project} (no {', '.join(missing)}): run "
            "gradescope-setup from a checkout of dlgrade."
        )


def _torch_requirement() -> str:
    """The torch this installation runs, so that the autograder evaluates with the same."""
    try:
        version = metadata.version("torch").split("+")[0]
    except metadata.PackageNotFoundError:
        return "torch"
    return f"torch=={version}"


def _write(path: Path, text: str, *, mode: int = 0o644) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, ignore=SKIPPED)
    else:
        shutil.copy2(source, target)


def _zip(out: Path) -> list[Path]:
    """autograder.zip with every file of `out` at its root (where Gradescope looks for them)."""
    files = sorted(path for path in out.rglob("*") if path.is_file())
    with zipfile.ZipFile(out / ZIP_FILE, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            entry = zipfile.ZipInfo.from_file(path, path.relative_to(out).as_posix())
            # The file's mode travels in the entry, so run_autograder stays executable.
            entry.external_attr = (stat.S_IFREG | path.stat().st_mode & 0o777) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes())
    return files
