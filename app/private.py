"""Files and directories only the service's user may read: directories 0700, files 0600.

Each is given its mode as it is created (`os.open`, `mkdir`) rather than through a process
umask: the umask is process-wide, and the tests, the CLI and whatever imports app/ share the
process with the service. SQLite gives its -wal and -shm files the database file's mode, so a
database created here 0600 keeps its journal files 0600 too.
"""

import os
import stat
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
SHARED_BITS = 0o077
"""The group's and others' permission bits."""


def private_dir(path: Path) -> Path:
    """The directory, created 0700 when missing; an existing one loses group and others access."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    narrow(path)
    return path


def open_private(path: Path, flags: int) -> int:
    """A descriptor from os.open, a new file created 0600; an existing one is narrowed."""
    descriptor = os.open(path, flags, PRIVATE_FILE)
    mode = stat.S_IMODE(os.fstat(descriptor).st_mode)
    if mode & SHARED_BITS:
        os.fchmod(descriptor, mode & ~SHARED_BITS)
    return descriptor


def narrow(path: Path) -> None:
    """Take the group's and others' access away from a path, if it exists; the owner's stays."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & SHARED_BITS:
        path.chmod(mode & ~SHARED_BITS)
