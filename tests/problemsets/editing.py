"""Editing a copy of the problem files, as a course would between two regrades."""

from pathlib import Path


def edit_problem_file(problems: Path, old: str, new: str, name: str = "dl-ex1.yaml") -> None:
    """Replace the first `old` in the problem file with `new`; `old` must be there."""
    path = problems / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
