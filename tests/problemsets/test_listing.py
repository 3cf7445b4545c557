"""The listing of `dlgrade problems`: checked and stored on first use, read back while the
files and the code are unchanged, checked again on any change; a broken file still fails."""

import shutil
from pathlib import Path
from typing import NoReturn

import pytest

from app import cache as disk
from app.cache import CACHE_VARIABLE
from app.problemsets import listing
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.listing import checked_lines, problem_set_lines
from app.problemsets.loader import ProblemFileError
from app.problemsets.paths import DEFAULT_DIRECTORY


@pytest.fixture
def problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "cache"))
    directory = tmp_path / "problems"
    directory.mkdir()
    for path in DEFAULT_DIRECTORY.glob("*.yaml"):
        shutil.copy(path, directory)
    return directory


def not_checked(_directory: Path) -> NoReturn:
    pytest.fail("the files were checked again")


def expected_lines(directory: Path) -> list[str]:
    catalog = ProblemCatalog(directory)
    return [
        f"{problem_set:<14} {catalog.definition(problem_set).title} "
        f"({len(catalog.compiled(problem_set).fields)} fields, "
        f"{catalog.compiled(problem_set).max_total:g} points)"
        for problem_set in catalog.ids()
    ]


def test_checked_lines_name_every_set_with_its_fields_and_points(problems: Path) -> None:
    assert checked_lines(problems) == expected_lines(problems)


def test_a_listing_is_stored_then_read_without_checking(
    problems: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = problem_set_lines(problems)
    assert cold == expected_lines(problems)
    monkeypatch.setattr(listing, "checked_lines", not_checked)
    assert problem_set_lines(problems) == cold


def test_an_edited_file_is_checked_again(problems: Path) -> None:
    problem_set_lines(problems)
    path = problems / "dl-ex1.yaml"
    path.write_text(path.read_text().replace("Deep learning basics", "Renamed basics", 1))
    assert any("Renamed basics" in line for line in problem_set_lines(problems))


def test_a_file_broken_since_it_was_listed_fails(problems: Path) -> None:
    problem_set_lines(problems)
    path = problems / "dl-ex1.yaml"
    path.write_text(path.read_text().replace("context: dense_network", "context: nothing", 1))
    for _ in range(2):
        with pytest.raises(ProblemFileError, match="dl-ex1.yaml"):
            problem_set_lines(problems)


def test_changed_code_checks_again(problems: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    problem_set_lines(problems)
    calls: list[Path] = []

    def counted(directory: Path) -> list[str]:
        calls.append(directory)
        return checked_lines(directory)

    monkeypatch.setattr(listing, "checked_lines", counted)
    monkeypatch.setattr(disk, "source_hash", lambda *roots: "0" * 64)
    problem_set_lines(problems)
    assert calls == [problems]


def test_an_empty_directory_still_fails(tmp_path: Path) -> None:
    with pytest.raises(ProblemFileError, match="no problem-set files"):
        problem_set_lines(tmp_path)


@pytest.mark.parametrize(
    "content",
    [b"", b"not json", b"{}", b"[1, 2]", b'["ok", null]', b"\"__import__('os')\""],
)
def test_stored_content_that_is_not_a_listing_is_checked_again(
    problems: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    monkeypatch.setattr(disk, "load", lambda section, key: content)
    assert problem_set_lines(problems) == expected_lines(problems)
