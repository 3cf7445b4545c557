"""Answer rules written in the problem file's own syntax, to fold into its fields.

Each field's rules become entries of its `accepted` list (accepted forms) and of its `mistakes`
list (named mistakes matched by `parsed`), which grade exactly as the rules do.
"""

from collections.abc import Sequence
from typing import Any

import yaml

from app.db.models import AnswerRule

HEADER = (
    "# Answer rules of {problem_set}, in problem-file syntax: add each field's entries to the\n"
    "# `accepted` and `mistakes` lists of that field in problems/{problem_set}.yaml.\n"
)


def as_problem_file(problem_set: str, rules: Sequence[AnswerRule]) -> str:
    """The rules as a YAML fragment keyed by field id."""
    fields: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for rule in rules:
        kind = "accepted" if rule.verdict == "correct" else "mistakes"
        fields.setdefault(rule.field, {}).setdefault(kind, []).append(_entry(rule))
    body = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=100)
    return HEADER.format(problem_set=problem_set) + body


def _entry(rule: AnswerRule) -> dict[str, Any]:
    if rule.verdict == "correct":
        accepted: dict[str, Any] = {"parsed": rule.parsed, "feedback": rule.feedback}
        return accepted if rule.note is None else {**accepted, "note": rule.note}
    return {
        "name": rule.note,
        "parsed": rule.parsed,
        "feedback": rule.feedback,
        "credit": rule.credit,
    }
