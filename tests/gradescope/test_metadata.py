"""Gradescope's submission_metadata.json, read as a hostile file: whatever it holds, who
submitted is known or plainly not, and the variant falls back to the published numbers."""

import json
import os
from pathlib import Path

import pytest

from app.gradescope.metadata import Submitter, read_submitters, variant_student

DOCUMENTED = {
    "created_at": "2018-07-01T14:22:32.365935-07:00",
    "assignment": {"id": 25828, "title": "Programming Assignment 1", "total_points": "20.0"},
    "users": [{"email": " Student@Example.com ", "id": 1234, "name": "Student User"}],
    "previous_submissions": [],
}


def written(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "submission_metadata.json"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_the_documented_file_names_its_user(tmp_path: Path) -> None:
    submitters = read_submitters(written(tmp_path, json.dumps(DOCUMENTED)))
    assert submitters.users == (Submitter("student@example.com", None, "1234", "Student User"),)
    assert variant_student(submitters, "email") == ("student@example.com", None)
    assert variant_student(submitters, "id") == ("1234", None)
    assert variant_student(submitters, "published") == (None, None)
    key, note = variant_student(submitters, "sid")
    assert key is None and note is not None and "no sid" in note and "published" in note


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b" " * 2_000_001, "larger than"),
        (b"\xff\xfe\x00{", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"users": [], "users": []}', "appears twice"),
        (b'{"users": ' + b"9" * 5000 + b"}", "more than 100 digits"),
        (b'{"users": "ada"}', "lists no users"),
        (b"[]", "lists no users"),
        (b"{}", "lists no users"),
    ],
)
def test_an_unreadable_file_names_no_one_and_says_why(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    submitters = read_submitters(written(tmp_path, content))
    assert submitters.users == ()
    key, note = variant_student(submitters, "email")
    assert key is None and note is not None and reason in note and "published" in note


@pytest.mark.parametrize(
    "user",
    [
        {},
        {"email": None},
        {"email": 5.5, "sid": True, "id": [1], "name": {"first": "a"}},
        {"email": "x" * 321},
        {"email": "   "},
        {"email": "ada\u202e@example.edu"},
        {"email": "ada\n@example.edu"},
        "ada@example.edu",
        None,
    ],
)
def test_a_value_of_the_wrong_type_or_shape_is_unknown(tmp_path: Path, user: object) -> None:
    submitters = read_submitters(written(tmp_path, json.dumps({"users": [user]})))
    assert submitters.users == (Submitter(None, None, None, None),)
    assert variant_student(submitters, "email")[0] is None


def test_a_missing_file_or_a_link_names_no_one(tmp_path: Path) -> None:
    assert read_submitters(tmp_path / "absent.json").users == ()
    target = written(tmp_path, json.dumps(DOCUMENTED))
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert "link" in str(read_submitters(link).problem)
    os.mkfifo(tmp_path / "pipe.json")
    assert "not a plain file" in str(read_submitters(tmp_path / "pipe.json").problem)


def test_a_group_is_graded_with_the_first_members_numbers_and_says_so(tmp_path: Path) -> None:
    users = [{"name": "No Email"}, {"email": "b@example.edu"}, {"email": "c@example.edu"}]
    submitters = read_submitters(written(tmp_path, json.dumps({"users": users})))
    key, note = variant_student(submitters, "email")
    assert key == "b@example.edu"
    assert note is not None and "group" in note and "b@example.edu" in note
