"""Read problem-set files and validate them, with errors that name the file and the field."""

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.problemsets.schema import ProblemSetDef

SUFFIX = ".yaml"
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML has it: the same safe types, ten times faster."""


class ProblemFileError(Exception):
    """A problem file that cannot be used; the message names the file and where in it."""


def load_problem_set(path: Path) -> ProblemSetDef:
    """Load and validate one problem-set file; its id must match the file name."""
    data = _read_yaml(path)
    try:
        problem_set = ProblemSetDef.model_validate(data)
    except ValidationError as exc:
        raise ProblemFileError(_describe(path, data, exc)) from None
    if problem_set.id != path.name.removesuffix(SUFFIX):
        raise ProblemFileError(f"{path}: id {problem_set.id!r} does not match the file name")
    return problem_set


def load_directory(directory: Path) -> dict[str, ProblemSetDef]:
    """Load every problem-set file in a directory, keyed by id."""
    paths = sorted(directory.glob(f"*{SUFFIX}"))
    if not paths:
        raise ProblemFileError(f"{directory}: no problem-set files ({SUFFIX}) found")
    return {problem_set.id: problem_set for problem_set in map(load_problem_set, paths)}


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProblemFileError(f"{path}: cannot be read: {exc}") from None
    try:
        return yaml.load(text, Loader=FAST_LOADER)
    except yaml.YAMLError:
        pass
    try:
        # Read again by the pure-Python parser, whose messages quote the line and point at it.
        return yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ProblemFileError(f"{path}: is not valid YAML: {exc}") from None


def _describe(path: Path, data: Any, exc: ValidationError) -> str:
    lines = [f"{path}: {exc.error_count()} problem(s)"]
    for error in exc.errors():
        lines.append(f"  {_location(data, error['loc'])}: {error['msg']}")
    return "\n".join(lines)


def _location(data: Any, loc: tuple[int | str, ...]) -> str:
    """Render a pydantic location, naming questions and fields by their ids where known."""
    parts: list[str] = []
    node = data
    for key in loc:
        node = _child(node, key)
        label = f"[{key}]" if isinstance(key, int) else f".{key}"
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            label += f" ({node['id']})"
        parts.append(label)
    return "".join(parts).lstrip(".") or "(top level)"


def _child(node: Any, key: int | str) -> Any:
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    return None
