"""Folding an exported rules fragment into a copy of a problem file, field by field."""

import re
from pathlib import Path
from typing import Any

import yaml

from tests.problemsets.editing import edit_problem_file


def fold(problems: Path, problem_set: str, fragment: str) -> None:
    """Add each field's exported entries to that field's lists in the problem file."""
    name = f"{problem_set}.yaml"
    fields: dict[str, dict[str, list[dict[str, Any]]]] = yaml.safe_load(fragment) or {}
    for field, lists in fields.items():
        for key, entries in lists.items():
            _add_entries(problems, name, field, key, entries)


def _add_entries(
    problems: Path, name: str, field: str, key: str, entries: list[dict[str, Any]]
) -> None:
    text = (problems / name).read_text()
    match = re.search(rf"^( *)- id: {re.escape(field)}\n", text, re.MULTILINE)
    assert match is not None, field
    indent = " " * (len(match.group(1)) + 2)
    block = text[match.end() : _block_end(text, match.end(), match.group(1))]
    lines = "".join(f"{indent}  - {_flow(entry)}\n" for entry in entries)
    existing = f"{indent}{key}:\n"
    if existing in block:
        edit_problem_file(
            problems,
            match.group(0) + block,
            match.group(0) + block.replace(existing, existing + lines, 1),
            name,
        )
    else:
        edit_problem_file(problems, match.group(0), match.group(0) + existing + lines, name)


def _block_end(text: str, start: int, indent: str) -> int:
    following = re.compile(rf"^{indent}- id: |^ {{0,{max(len(indent) - 1, 0)}}}\S", re.MULTILINE)
    found = following.search(text, start)
    return len(text) if found is None else found.start()


def _flow(entry: dict[str, Any]) -> str:
    return yaml.safe_dump(
        entry, default_flow_style=True, sort_keys=False, width=10**6, allow_unicode=True
    ).strip()
