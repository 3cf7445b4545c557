"""The line per problem set that `dlgrade problems` prints, checked files and all.

Checking the files means compiling every problem set, which loads the grader and SymPy. The
lines of files already checked are kept in the disk cache (app/cache.py) under the hashes of
the files, of the code that checks them (app/ and reference/) and of the installed versions,
so listing unchanged files reads their bytes and no more; any change checks them again.
"""

import hashlib
import json
from pathlib import Path

from app import cache as disk
from app.problemsets.checked import CODE_ROOTS, DISTRIBUTIONS
from app.problemsets.loader import SUFFIX

SECTION = "listings"
FORMAT = 1
MAX_LINES = 10_000


def problem_set_lines(directory: Path) -> list[str]:
    """One line per problem set: id, title, field count and points; ProblemFileError if a file
    does not pass the checks of loading."""
    key = _key(directory)
    if key is not None:
        lines = _decoded(disk.load(SECTION, key))
        if lines is not None:
            return lines
    lines = checked_lines(directory)
    if key is not None:
        disk.store(SECTION, key, json.dumps(lines).encode())
    return lines


def checked_lines(directory: Path) -> list[str]:
    """The lines from the problem sets loaded, checked and compiled as the service does."""
    # Imported here: the catalog brings the grader and SymPy, which a cached listing skips.
    from app.problemsets.catalog import ProblemCatalog

    catalog = ProblemCatalog(directory)
    lines = []
    for problem_set in catalog.ids():
        definition = catalog.definition(problem_set)
        compiled = catalog.compiled(problem_set)
        lines.append(
            f"{problem_set:<14} {definition.title} "
            f"({len(compiled.fields)} fields, {compiled.max_total:g} points)"
        )
    return lines


def _key(directory: Path) -> str | None:
    """What the lines depend on; None where the files cannot be read (the check says why)."""
    try:
        files = {
            path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(directory.glob(f"*{SUFFIX}"))
        }
    except OSError:
        return None
    if not files:
        return None
    key = {
        "format": FORMAT,
        "files": files,
        "code": disk.source_hash(*CODE_ROOTS),
        "versions": disk.versions(*DISTRIBUTIONS),
    }
    return json.dumps(key, sort_keys=True)


def _decoded(content: bytes | None) -> list[str] | None:
    if content is None:
        return None
    try:
        lines = json.loads(content)
    except ValueError:
        return None
    if not isinstance(lines, list) or len(lines) > MAX_LINES:
        return None
    if not all(isinstance(line, str) for line in lines):
        return None
    return lines
