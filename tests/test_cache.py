"""The disk cache: what it stored comes back; anything it did not store as it stands (damaged,
stale, forged, shared, linked) is a miss; a cache that cannot be written costs only time."""

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from app import cache
from app.cache import CACHE_VARIABLE, SECRET_BYTES, SECRET_NAME, cache_directory, load, store
from app.config import Settings

SECTION = "things"
KEY = '{"thing": 1}'


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(CACHE_VARIABLE, str(directory))
    return directory


def entry(root: Path) -> Path:
    (path,) = (root / SECTION).glob("*.entry")
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_what_is_stored_comes_back_private(root: Path) -> None:
    assert load(SECTION, KEY) is None
    store(SECTION, KEY, b"content")
    assert load(SECTION, KEY) == b"content"
    assert load(SECTION, '{"thing": 2}') is None
    assert mode(root) == mode(root / SECTION) == 0o700
    assert mode(entry(root)) == mode(root / SECRET_NAME) == 0o600
    assert [path.name for path in (root / SECTION).iterdir()] == [entry(root).name]


def flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:40])


def share(path: Path) -> None:
    path.chmod(0o666)


def replace_with_link(path: Path) -> None:
    target = path.with_name("elsewhere")
    target.write_bytes(path.read_bytes())
    target.chmod(0o600)
    path.unlink()
    path.symlink_to(target)


@pytest.mark.parametrize(
    "damage",
    [flip_last_byte, truncate, share, replace_with_link, lambda path: path.write_bytes(b"")],
    ids=["flipped byte", "truncated", "shared", "symbolic link", "empty"],
)
def test_a_damaged_entry_is_a_miss_and_is_stored_again(
    root: Path, damage: Callable[[Path], None]
) -> None:
    store(SECTION, KEY, b"content")
    damage(entry(root))
    assert load(SECTION, KEY) is None
    store(SECTION, KEY, b"again")
    assert load(SECTION, KEY) == b"again"
    assert not entry(root).is_symlink()


def test_an_entry_under_another_key_is_not_taken(root: Path) -> None:
    store(SECTION, '{"thing": 2}', b"other")
    other = entry(root)
    store(SECTION, KEY, b"content")
    mine = next(path for path in (root / SECTION).glob("*.entry") if path != other)
    mine.write_bytes(other.read_bytes())
    mine.chmod(0o600)
    assert load(SECTION, KEY) is None


def test_an_entry_the_cache_did_not_write_is_not_trusted(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Well formed, under the right key, sealed with another secret: as anyone would forge it.
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "forger"))
    store(SECTION, KEY, b"forged")
    forged = entry(tmp_path / "forger").read_bytes()
    monkeypatch.setenv(CACHE_VARIABLE, str(root))
    store(SECTION, KEY, b"content")
    entry(root).write_bytes(forged)
    assert load(SECTION, KEY) is None


@pytest.mark.skipif(os.getuid() != 0, reason="giving a file away needs root")
def test_a_file_of_another_user_is_not_trusted(root: Path) -> None:
    store(SECTION, KEY, b"content")
    os.chown(entry(root), 12_345, -1)
    assert load(SECTION, KEY) is None


@pytest.mark.parametrize(
    "secret", [b"short", b"", b"x" * (SECRET_BYTES + 1)], ids=["short", "empty", "long"]
)
def test_a_damaged_secret_is_made_again_and_old_entries_are_misses(
    root: Path, secret: bytes
) -> None:
    store(SECTION, KEY, b"content")
    (root / SECRET_NAME).write_bytes(secret)
    assert load(SECTION, KEY) is None
    assert len((root / SECRET_NAME).read_bytes()) == SECRET_BYTES
    store(SECTION, KEY, b"again")
    assert load(SECTION, KEY) == b"again"


def test_an_entry_too_large_is_a_miss(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store(SECTION, KEY, b"x" * 1_000)
    monkeypatch.setattr(cache, "MAX_ENTRY_BYTES", 500)
    assert load(SECTION, KEY) is None


def test_the_default_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_VARIABLE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_directory() == tmp_path / "dlgrade"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_directory() == tmp_path / "home" / ".cache" / "dlgrade"


def test_a_cache_that_cannot_be_written_costs_only_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    monkeypatch.setenv(CACHE_VARIABLE, str(blocked / "cache"))
    store(SECTION, KEY, b"content")
    assert load(SECTION, KEY) is None


def test_the_setting_names_the_directory_the_cache_uses(root: Path) -> None:
    assert Settings().cache_dir == cache_directory() == root
