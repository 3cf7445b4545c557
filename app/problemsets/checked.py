"""Which problem files this code has checked already, marked in the disk cache (app/cache.py).

Checking a file compiles its canonical variant, which loads SymPy and the grading engine. A
file that passed is marked under its hash, the hash of the code that checks it (app/ and
reference/) and the installed versions, so that a process meeting the same file again may
leave its compilation until a variant is asked for; any change checks it again. A file that
fails is never marked.
"""

import json
from pathlib import Path

from app import cache as disk

SECTION = "checked"
FORMAT = 1
MARK = b"checked"
CODE_ROOTS = (
    Path(__file__).resolve().parents[1],
    Path(__file__).resolve().parents[2] / "reference",
)
DISTRIBUTIONS = ("numpy", "sympy", "pydantic", "pyyaml")


def vouched_for(problem_set: str, digest: str) -> bool:
    """Whether this file, as hashed, passed this code's checks before."""
    return disk.load(SECTION, _key(problem_set, digest)) == MARK


def mark_checked(problem_set: str, digest: str) -> None:
    """Record that this file, as hashed, passed this code's checks."""
    disk.store(SECTION, _key(problem_set, digest), MARK)


def _key(problem_set: str, digest: str) -> str:
    key = {
        "format": FORMAT,
        "problem_set": problem_set,
        "file": digest,
        "code": disk.source_hash(*CODE_ROOTS),
        "versions": disk.versions(*DISTRIBUTIONS),
    }
    return json.dumps(key, sort_keys=True)
