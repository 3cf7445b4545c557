"""Reading the files of a submission, every one of them untrusted: regular files only (a link,
a pipe or a device is refused without being opened), and never more bytes than a bound."""

import errno
import os
import stat
from pathlib import Path

from app.errors import InvalidSubmission, PayloadTooLarge
from app.untrusted import shown


def read_bounded(path: Path, *, max_bytes: int, what: str) -> bytes:
    """The file's bytes; InvalidSubmission for what is not a plain file, PayloadTooLarge past
    `max_bytes`."""
    try:
        # O_NOFOLLOW: a link planted in place of the file is refused, not followed;
        # O_NONBLOCK: opening a pipe does not wait for a writer.
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InvalidSubmission(
                f"{what} {shown(path.name)} is a link; submit the file itself."
            ) from None
        raise InvalidSubmission(
            f"{what} {shown(path.name)} cannot be read: {exc.strerror}."
        ) from None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise InvalidSubmission(f"{what} {shown(path.name)} is not a plain file.")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"{what} {shown(path.name)} is larger than {max_bytes:,} bytes.")
    return data
