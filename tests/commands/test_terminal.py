"""Output files are written whole or not at all; text from class files is shown inert."""

import io
import os
from pathlib import Path

import pytest
from rich.console import Console

from app.commands.errors import CliError
from app.commands.terminal import untrusted, writable, write_atomically


def test_a_file_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    path.write_bytes(b"old")
    write_atomically(path, b"new" * 1000)
    assert path.read_bytes() == b"new" * 1000
    assert [entry.name for entry in tmp_path.iterdir()] == ["grades.csv"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "grades.csv"
    path.write_bytes(b"old")

    def full_disk(_source: str, _target: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(CliError, match="cannot write .*grades.csv: No space left on device"):
        write_atomically(path, b"new")
    assert path.read_bytes() == b"old"
    assert [entry.name for entry in tmp_path.iterdir()] == ["grades.csv"]


def test_an_output_path_is_checked_before_any_work(tmp_path: Path) -> None:
    assert writable(tmp_path / "g.csv") == tmp_path / "g.csv"
    with pytest.raises(CliError, match="is a directory"):
        writable(tmp_path)
    with pytest.raises(CliError, match="does not exist"):
        writable(tmp_path / "missing" / "g.csv")


@pytest.mark.parametrize(
    "text",
    ["[bold]loud[/bold]", "[link=http://evil]x[/link]", "\x1b[31mred", "\u202eevil", "y" * 10_000],
)
def test_untrusted_text_prints_as_plain_short_characters(text: str) -> None:
    console = Console(record=True, width=200, color_system=None, file=io.StringIO())
    console.print(f"row: {untrusted(text)}", soft_wrap=True)
    shown = console.export_text().rstrip("\n")
    assert shown.isascii() and shown.isprintable()
    assert len(shown) < 200
    if text.isascii() and text.isprintable() and len(text) < 80:
        assert shown == f"row: {text}"
