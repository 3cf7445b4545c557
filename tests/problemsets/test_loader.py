"""Problem files load, and a broken one fails with a message naming the file and the field."""

from pathlib import Path

import pytest
import yaml

from app.problemsets.loader import FAST_LOADER, ProblemFileError, load_directory, load_problem_set
from app.problemsets.paths import DEFAULT_DIRECTORY

MINIMAL = """
id: tiny
title: Tiny
summary: One field.
questions:
  - id: q1
    title: Q
    points: 4
    fields:
      - id: q1.a
        prompt: A number.
        answer: {type: number}
        reference: {call: conv.conv2d_params, args: {in_channels: 1, out_channels: 2, kernel: 3}}
"""


def write(tmp_path: Path, text: str, name: str = "tiny.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_minimal_file_loads(tmp_path: Path) -> None:
    problem_set = load_problem_set(write(tmp_path, MINIMAL))
    assert problem_set.questions[0].fields[0].id == "q1.a"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("type: number", "type: numbr"), "(q1.a).answer"),
        (("points: 4", "points: -4"), "(q1).points"),
        (("id: q1.a", "id: q2.a"), "does not belong to question q1"),
        (("        reference:", "        referenc:"), "(q1.a)"),
        (("title: Tiny", "title: Tiny\nsurprise: 1"), "surprise"),
        (("{call: conv", "{quantity: x, call: conv"), "exactly one of call"),
    ],
)
def test_errors_name_the_file_and_the_field(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    path = write(tmp_path, MINIMAL.replace(*change))
    with pytest.raises(ProblemFileError) as info:
        load_problem_set(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


@pytest.mark.parametrize(
    "text",
    ["id: [unclosed", "!!python/object/apply:os.system ['true']", ""],
)
def test_unsafe_or_broken_yaml_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(ProblemFileError):
        load_problem_set(write(tmp_path, text))


def test_id_must_match_file_name(tmp_path: Path) -> None:
    with pytest.raises(ProblemFileError, match="does not match the file name"):
        load_problem_set(write(tmp_path, MINIMAL, name="other.yaml"))


def test_duplicate_field_ids_are_refused(tmp_path: Path) -> None:
    doubled = MINIMAL + MINIMAL.split("fields:\n", 1)[1]
    with pytest.raises(ProblemFileError, match="appears twice"):
        load_problem_set(write(tmp_path, doubled))


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProblemFileError, match="no problem-set files"):
        load_directory(tmp_path)


@pytest.mark.parametrize("text", ["id: [tiny", "id: tiny: x", "id: 'open"])
def test_broken_yaml_is_quoted_with_its_line_whichever_parser_read_it(
    tmp_path: Path, text: str
) -> None:
    with pytest.raises(ProblemFileError, match="is not valid YAML") as info:
        load_problem_set(write(tmp_path, text))
    # The message points at the place: the line as written, then a caret under it.
    lines = str(info.value).splitlines()
    assert any(line.strip() == text for line in lines)
    assert any(line.strip() == "^" for line in lines)


def test_both_parsers_read_the_shipped_files_alike() -> None:
    for path in DEFAULT_DIRECTORY.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=FAST_LOADER) == yaml.load(text, Loader=yaml.SafeLoader)
