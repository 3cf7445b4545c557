"""Derived data kept on disk between processes, and trusted only where this cache wrote it.

The directory is $DLGRADE_CACHE_DIR, else $XDG_CACHE_HOME/dlgrade, else ~/.cache/dlgrade: read
from the environment here, since grading workers and commands that build no Settings use the
cache too. Directories are 0700 and files 0600, as for the data directory.

An entry is one file: an HMAC-SHA256 over its key and content, made with a secret kept in the
directory. An entry whose MAC or key does not match (corrupt, stale, or written by anything
else) is a miss: the caller computes the value and stores it over the bad one. Each write goes
to a temporary file renamed into place, so a process reading while another writes sees the old
entry or the new one, never half of one.
"""

import errno
import hashlib
import hmac
import logging
import os
import platform
import secrets
import stat
from functools import cache
from importlib import metadata
from pathlib import Path

from app.private import SHARED_BITS, open_private, private_dir

CACHE_VARIABLE = "DLGRADE_CACHE_DIR"
SECRET_NAME = "secret"
SECRET_BYTES = 32
MAX_ENTRY_BYTES = 64 << 20
KEY_LENGTH_BYTES = 4

log = logging.getLogger(__name__)


class UntrustedFile(OSError):
    """A cache file that is not a regular file of this user's, private to them."""


def cache_directory() -> Path | None:
    """The cache directory the environment names; None when there is no home to hold it."""
    configured = os.environ.get(CACHE_VARIABLE)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        root = Path(base) if base else Path.home() / ".cache"
    except RuntimeError:  # no home directory to be found
        return None
    return root / "dlgrade"


@cache
def source_hash(*roots: Path) -> str:
    """SHA-256 over the Python source under the roots, for keys of what that code computes."""
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            digest.update(f"{root.name}/{path.relative_to(root)}".encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def versions(*distributions: str) -> dict[str, str]:
    """Python's version and the installed distributions', for keys of what they compute."""
    found = {"python": platform.python_version()}
    for name in distributions:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "none"
    return found


def load(section: str, key: str) -> bytes | None:
    """The content stored under `key`, or None when there is none to trust."""
    try:
        place = _section(section)
        if place is None:
            return None
        directory, secret = place
        data = read_private(_entry_path(directory, key), limit=MAX_ENTRY_BYTES)
    except OSError as exc:
        log.debug("cache %s: miss (%s)", section, exc)
        return None
    return None if data is None else _opened(data, key, secret)


def store(section: str, key: str, content: bytes) -> None:
    """Keep `content` under `key`; a cache that cannot be written is only slower."""
    try:
        place = _section(section)
        if place is not None:
            directory, secret = place
            write_private(_entry_path(directory, key), _sealed(key, content, secret))
    except OSError as exc:
        log.warning("cache %s: not stored (%s)", section, exc)


def _section(section: str) -> tuple[Path, bytes] | None:
    root = cache_directory()
    if root is None:
        return None
    directory = _owned_dir(root / section)
    return directory, _secret(_owned_dir(root))


def _owned_dir(path: Path) -> Path:
    """The directory, created 0700; refused unless this user owns it."""
    private_dir(path)
    if path.stat().st_uid != os.getuid():
        raise UntrustedFile(f"{path} belongs to another user")
    return path


def _secret(directory: Path) -> bytes:
    """The directory's MAC secret, made on first use (or again, should it be damaged)."""
    path = directory / SECRET_NAME
    try:
        secret = read_private(path, limit=SECRET_BYTES)
    except UntrustedFile:
        secret = b""
    if secret is not None and len(secret) == SECRET_BYTES:
        return secret
    try:
        # Linked, not renamed, when there is none: two processes starting at once keep one.
        write_private(path, secrets.token_bytes(SECRET_BYTES), replace=secret is not None)
    except FileExistsError:
        pass
    secret = read_private(path, limit=SECRET_BYTES)
    if secret is None or len(secret) != SECRET_BYTES:
        raise UntrustedFile(f"{path} is not a usable secret")
    return secret


def _entry_path(directory: Path, key: str) -> Path:
    return directory / f"{hashlib.sha256(key.encode()).hexdigest()}.entry"


def _sealed(key: str, content: bytes, secret: bytes) -> bytes:
    encoded = key.encode()
    body = len(encoded).to_bytes(KEY_LENGTH_BYTES, "big") + encoded + content
    return _mac(body, secret) + body


def _opened(data: bytes, key: str, secret: bytes) -> bytes | None:
    """The content of a sealed entry, when its MAC holds and it was stored under `key`."""
    mac_size = hashlib.sha256().digest_size
    mac, body = data[:mac_size], data[mac_size:]
    if not hmac.compare_digest(mac, _mac(body, secret)):
        log.debug("cache: an entry failed its MAC")
        return None
    length = int.from_bytes(body[:KEY_LENGTH_BYTES], "big")
    stored_key = body[KEY_LENGTH_BYTES : KEY_LENGTH_BYTES + length]
    if stored_key != key.encode():
        return None
    return body[KEY_LENGTH_BYTES + length :]


def _mac(body: bytes, secret: bytes) -> bytes:
    return hmac.new(secret, body, hashlib.sha256).digest()


def read_private(path: Path, *, limit: int) -> bytes | None:
    """A regular file's bytes, None when missing; UntrustedFile unless it is this user's own,
    private, and at most `limit` bytes."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a symbolic link, which this cache never makes
            raise UntrustedFile(f"{path} is a symbolic link") from None
        raise
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode) or status.st_uid != os.getuid():
            raise UntrustedFile(f"{path} is not this user's regular file")
        if status.st_mode & SHARED_BITS:
            raise UntrustedFile(f"{path} may be written by others")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UntrustedFile(f"{path} is larger than {limit} bytes")
    return data


def write_private(path: Path, data: bytes, *, replace: bool = True) -> None:
    """Write a 0600 file whole or not at all; FileExistsError if it exists and not `replace`."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = open_private(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
