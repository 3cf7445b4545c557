"""A class ZIP: one class file and the model files its rows name, checked without trusting it.

Nothing is ever extracted to disk: an entry's name is only a key, and its bytes are read into
memory with a bound that holds however the archive lies about sizes. The central directory is
sized from the end record before zipfile parses it, so a huge one is refused unread.
"""

import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from app.errors import InvalidRequest, PayloadTooLarge
from app.untrusted import shown

MAX_ENTRIES = 2_000
MAX_DIRECTORY_BYTES = 4_000_000
MAX_UNCOMPRESSED_BYTES = 2_000_000_000
CLASS_SUFFIXES = (".jsonl", ".ndjson", ".csv")
IGNORED_FOLDER = "__MACOSX"
# bzip2 and LZMA entries inflate without a bound per read in zipfile; deflate is what every
# archiver writes by default.
READABLE_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
ENCRYPTED_FLAG = 0x1
_CHUNK = 1 << 20

_END = struct.Struct("<4s4H2LH")
_END_SIGNATURE = b"PK\x05\x06"
_MAX_COMMENT = 0xFFFF
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_END = struct.Struct("<4sQ2H2L4Q")


@dataclass(frozen=True, slots=True)
class ClassArchive:
    """What a class ZIP holds: its class file's name and bytes, and the other files."""

    class_name: str
    class_data: bytes
    files: dict[str, str]
    """Each name a row may give a file by (relative to the class file's folder, or from the
    archive's root, without a leading `./`) -> the entry's name in the archive."""


def is_zip(path: Path) -> bool:
    """Whether the file starts like a ZIP archive."""
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def read_archive(path: Path, *, max_class_bytes: int) -> ClassArchive:
    """The class file and the list of other files of a class ZIP; InvalidRequest if unusable."""
    with _opened(path) as archive:
        entries = _usable_entries(archive)
        class_name = _class_name(entries)
        info = entries[class_name]
        data = _read(archive, info, max_bytes=max_class_bytes, what="The class file")
    return ClassArchive(class_name, data, _file_names(entries, class_name))


def read_entry(path: Path, name: str, *, max_bytes: int) -> bytes:
    """One entry's bytes; PayloadTooLarge past `max_bytes`, however the archive lies."""
    with _opened(path) as archive:
        try:
            info = archive.getinfo(name)
        except KeyError:
            raise InvalidRequest(f"The ZIP holds no file {shown(name)}.") from None
        return _read(archive, info, max_bytes=max_bytes, what=f"The file {shown(name)}")


@contextmanager
def _opened(path: Path) -> Iterator[zipfile.ZipFile]:
    """The archive, once its directory, entry count, sizes and methods are within bounds."""
    try:
        with path.open("rb") as handle:
            _check_directory(handle)
            with zipfile.ZipFile(handle) as archive:
                _check_entries(archive.infolist())
                yield archive
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, struct.error) as exc:
        raise InvalidRequest(f"The ZIP archive cannot be read ({exc}).") from exc


def _check_directory(handle: BinaryIO) -> None:
    entries, directory_bytes = _declared_directory(handle)
    if entries > MAX_ENTRIES or directory_bytes > MAX_DIRECTORY_BYTES:
        raise _too_many()
    handle.seek(0)


def _declared_directory(handle: BinaryIO) -> tuple[int, int]:
    """Entries and central-directory bytes, as the end record (or its ZIP64 twin) declares."""
    size = handle.seek(0, os.SEEK_END)
    start = max(0, size - _END.size - _MAX_COMMENT)
    handle.seek(start)
    tail = handle.read()
    at = tail.rfind(_END_SIGNATURE)
    if at < 0 or at + _END.size > len(tail):
        raise InvalidRequest("This is not a valid ZIP archive (it has no end record).")
    entries, directory_bytes = _END.unpack_from(tail, at)[4:6]
    locator = at - _ZIP64_LOCATOR.size
    if locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
        handle.seek(_ZIP64_LOCATOR.unpack_from(tail, locator)[2])
        record = handle.read(_ZIP64_END.size)
        if len(record) == _ZIP64_END.size and record[:4] == b"PK\x06\x06":
            entries, directory_bytes = _ZIP64_END.unpack(record)[7:9]
    return int(entries), int(directory_bytes)


def _check_entries(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise _too_many()
    for info in infos:
        if info.flag_bits & ENCRYPTED_FLAG:
            raise InvalidRequest(
                f"The ZIP entry {shown(info.filename)} is encrypted; "
                "send the archive without a password."
            )
        if info.compress_type not in READABLE_METHODS:
            raise InvalidRequest(
                f"The ZIP entry {shown(info.filename)} uses a compression method that is not "
                "read here; save the archive with the standard (deflate) compression."
            )
    declared = sum(info.file_size for info in infos)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise PayloadTooLarge(
            f"The ZIP archive unpacks to {declared:,} bytes; the limit is "
            f"{MAX_UNCOMPRESSED_BYTES:,}. Split the class into several imports."
        )


def _too_many() -> InvalidRequest:
    return InvalidRequest(
        f"The ZIP archive holds more than {MAX_ENTRIES:,} entries; split the class into "
        "several imports."
    )


def _usable_entries(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The entries a row may name, by their name without a leading `./`."""
    usable: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        name = _normalized(info.filename)
        if name is None:
            continue
        if name in usable:
            raise InvalidRequest(f"The ZIP archive holds two entries named {shown(name)}.")
        usable[name] = info
    return usable


def _normalized(entry: str) -> str | None:
    """The entry's name as a row gives it, or None for what no row may name."""
    # Folders, macOS metadata and dot-files are not files of the class; a name that climbs
    # out of the archive (`..`) or starts at the root is never one either.
    name = entry
    while name.startswith("./"):
        name = name[2:]
    parts = name.split("/")
    if parts[0] == IGNORED_FOLDER or any(not part or part.startswith(".") for part in parts):
        return None
    return name


def _class_name(entries: dict[str, zipfile.ZipInfo]) -> str:
    found = [name for name in entries if name.lower().endswith(CLASS_SUFFIXES)]
    if not found:
        raise InvalidRequest(
            "The ZIP archive holds no class file: add one .jsonl, .ndjson or .csv file."
        )
    if len(found) > 1:
        listed = ", ".join(shown(name) for name in found[:5])
        raise InvalidRequest(
            f"The ZIP archive holds {len(found)} class files ({listed}); keep exactly one."
        )
    return found[0]


def _file_names(entries: dict[str, zipfile.ZipInfo], class_name: str) -> dict[str, str]:
    """Each name a row may give a file by -> the entry's name in the archive."""
    others = {name: info.filename for name, info in entries.items() if name != class_name}
    # A zipped folder puts its name before every entry; rows name files from the class file's
    # folder, or from the root of the archive (which wins when both fit).
    folder = str(PurePosixPath(class_name).parent)
    prefix = "" if folder == "." else folder + "/"
    relative = {
        name.removeprefix(prefix): entry
        for name, entry in others.items()
        if prefix and name.startswith(prefix)
    }
    return relative | others


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, max_bytes: int, what: str) -> bytes:
    """The entry's bytes, never more than `max_bytes` of them in memory."""
    too_large = PayloadTooLarge(f"{what} in the ZIP is larger than {max_bytes:,} bytes.")
    if info.file_size > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise too_large
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise InvalidRequest(f"{what} in the ZIP cannot be read ({exc}).") from exc
    return b"".join(chunks)
