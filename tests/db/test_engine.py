"""SQLite engines: the database file and its -wal and -shm files are 0600, a new directory is
0700, and a directory the URL names that exists already keeps its mode."""

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from app.db.engine import create_db_engine


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def loose_database(path: Path) -> sqlite3.Connection:
    """A database left 0644 with its -wal and -shm files, as SQLite makes them by default;
    the connection returned holds them open (a crashed server leaves them as well)."""
    previous = os.umask(0o022)
    try:
        writer = sqlite3.connect(path)
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("CREATE TABLE t (x)")
        writer.commit()
        holder = sqlite3.connect(path)
        holder.execute("SELECT * FROM t").fetchall()
        writer.close()
    finally:
        os.umask(previous)
    assert {mode(path), mode(Path(f"{path}-wal")), mode(Path(f"{path}-shm"))} == {0o644}
    return holder


@pytest.mark.parametrize("umask", [0o022, 0o000], ids=["umask 022", "umask 000"])
@pytest.mark.parametrize("older", [False, True], ids=["new", "older"])
def test_the_database_and_its_journal_files_are_private(
    tmp_path: Path, umask: int, older: bool
) -> None:
    path = tmp_path / "data" / "dlgrade.db"
    holder = None
    if older:
        path.parent.mkdir()
        holder = loose_database(path)
    previous = os.umask(umask)
    try:
        engine = create_db_engine(f"sqlite:///{path}")
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE IF NOT EXISTS u (x)"))
            connection.execute(text("INSERT INTO u VALUES (1)"))
        files = {name: mode(path.parent / name) for name in os.listdir(path.parent)}
        engine.dispose()
    finally:
        os.umask(previous)
        if holder is not None:
            holder.close()
    assert files == {"dlgrade.db": 0o600, "dlgrade.db-wal": 0o600, "dlgrade.db-shm": 0o600}
    if not older:
        assert mode(path.parent) == 0o700


def test_a_directory_the_url_names_keeps_its_mode(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    engine = create_db_engine(f"sqlite:///{tmp_path / 'x.db'}")
    engine.dispose()
    assert (mode(tmp_path), mode(tmp_path / "x.db")) == (0o755, 0o600)
