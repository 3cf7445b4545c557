"""What the commands show and write: results on stdout, progress on stderr, text from
students escaped, output files written whole or not at all."""

import os
import tempfile
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from app.commands.errors import CliError
from app.untrusted import shown

SHOWN_CHARS = 80


def out() -> Console:
    """A console on stdout; lines are never wrapped, so scripts can read them."""
    return Console(highlight=False, soft_wrap=True)


def err() -> Console:
    """A console on stderr, for progress bars."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def untrusted(text: str, *, limit: int = SHOWN_CHARS) -> str:
    """Text a student or a class file supplied, safe in a rich console: no markup, no control
    characters, no megabytes."""
    return escape(shown(text, limit=limit))


def writable(path: Path) -> Path:
    """The output path, if a file can be written there; checked before any long work."""
    if path.is_dir():
        raise CliError(f"{path} is a directory; --out names the file to write")
    if not path.parent.resolve().is_dir():
        raise CliError(f"the directory of {path} does not exist")
    return path


def write_atomically(path: Path, data: bytes) -> None:
    """Write the file through a temporary file and a rename: whole, or not at all."""
    try:
        _replace(path, data)
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror}") from None


def _replace(path: Path, data: bytes) -> None:
    # The temporary file is created readable by its owner only (grades are personal data),
    # and the rename keeps that mode.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
