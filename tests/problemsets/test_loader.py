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

FORM_ERRORS = [
    ("{name: m, feedback: f}", "exactly one of reference or parsed"),
    ("{name: m, feedback: f, parsed: '3', reference: {expression: '3'}}", "exactly one of"),
    ("{name: m, feedback: f, parsed: '3', credit: 1.0}", "less than 1"),
    ("{name: m, feedback: f, parsed: ''}", "at least 1 character"),
    ("{name: m, feedback: f, parsed: '3'}, {name: n, feedback: g, parsed: '3'}", "given twice"),
    ("{name: m, feedback: f, parsed: [3]}", "(q1.a).mistakes"),
]
"""Mistakes given by their answer form, each refused with a message that says why."""


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
        *(
            (("        reference:", f"        mistakes: [{entry}]\n        reference:"), expected)
            for entry, expected in FORM_ERRORS
        ),
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


def test_an_accepted_form_and_a_named_form_load(tmp_path: Path) -> None:
    forms = (
        "        accepted: [{parsed: '6', feedback: Accepted., note: rounding}]\n"
        "        mistakes: [{name: off by one, parsed: '5', feedback: Count again., credit: 0.5}]\n"
    )
    problem_set = load_problem_set(
        write(tmp_path, MINIMAL.replace("        reference:", forms + "        reference:"))
    )
    field = problem_set.questions[0].fields[0]
    assert [form.parsed for form in field.accepted] == ["6"]
    assert [(m.parsed, m.credit, m.reference) for m in field.mistakes] == [("5", 0.5, None)]


def test_a_form_accepted_and_named_a_mistake_at_once_is_refused(tmp_path: Path) -> None:
    forms = (
        "        accepted: [{parsed: '6', feedback: Accepted.}]\n"
        "        mistakes: [{name: n, parsed: '6', feedback: No.}]\n"
    )
    with pytest.raises(ProblemFileError, match="given twice"):
        load_problem_set(
            write(tmp_path, MINIMAL.replace("        reference:", forms + "        reference:"))
        )


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
