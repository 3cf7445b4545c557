"""Private paths on their own: created 0700 or 0600 whatever the umask, and an existing one
loses the group's and others' access but keeps its owner's."""

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.private import narrow, open_private, private_dir


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask 022", "umask 000"])
def umask(request: pytest.FixtureRequest) -> Iterator[None]:
    previous = os.umask(request.param)
    yield
    os.umask(previous)


@pytest.mark.parametrize(
    ("existing", "expected"),
    [(None, 0o700), (0o755, 0o700), (0o777, 0o700), (0o700, 0o700), (0o500, 0o500)],
)
def test_private_dir(tmp_path: Path, umask: None, existing: int | None, expected: int) -> None:
    path = tmp_path / "data"
    if existing is not None:
        path.mkdir()
        path.chmod(existing)
    assert private_dir(path) == path
    assert mode(path) == expected


FLAGS = os.O_WRONLY | os.O_CREAT


@pytest.mark.parametrize(
    ("existing", "expected"),
    [(None, 0o600), (0o644, 0o600), (0o666, 0o600), (0o640, 0o600), (0o400, 0o400)],
)
def test_open_private(tmp_path: Path, umask: None, existing: int | None, expected: int) -> None:
    path = tmp_path / "file"
    if existing is not None:
        path.write_bytes(b"kept")
        path.chmod(existing)
    flags = os.O_RDONLY | os.O_CREAT if existing == 0o400 else FLAGS
    os.close(open_private(path, flags))
    assert mode(path) == expected


def test_open_private_refuses_an_existing_file_when_asked_to_create_it(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_bytes(b"kept")
    with pytest.raises(FileExistsError):
        open_private(path, FLAGS | os.O_EXCL)
    assert path.read_bytes() == b"kept"


@pytest.mark.parametrize(("before", "after"), [(0o644, 0o600), (0o600, 0o600), (0o754, 0o700)])
def test_narrow(tmp_path: Path, before: int, after: int) -> None:
    path = tmp_path / "file"
    path.touch()
    path.chmod(before)
    narrow(path)
    assert mode(path) == after


def test_narrowing_a_missing_path_creates_nothing(tmp_path: Path) -> None:
    narrow(tmp_path / "missing")
    assert list(tmp_path.iterdir()) == []
