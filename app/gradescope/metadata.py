"""Who submitted, from Gradescope's /autograder/submission_metadata.json, read as the hostile
file it may be: bounded in size, and tolerant of any key missing or of the wrong type."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.errors import DomainError
from app.gradescope.files import read_bounded
from app.gradescope.schemas import VariantKey
from app.untrusted import UnreadableJson, read_json, shown
from app.users.roster import decode_utf8

MAX_METADATA_BYTES = 2_000_000
MAX_USERS = 50
MAX_VALUE_CHARS = 320


@dataclass(frozen=True, slots=True)
class Submitter:
    """One user of the submission (several for a group submission); None where unknown."""

    email: str | None
    sid: str | None
    id: str | None
    name: str | None

    def key(self, which: VariantKey) -> str | None:
        """The value that seeds this submitter's variant; None for the published numbers."""
        return None if which == "published" else getattr(self, which)


@dataclass(frozen=True, slots=True)
class Submitters:
    """Everyone the metadata names, and why none are named when it could not be read."""

    users: tuple[Submitter, ...]
    problem: str | None = None


def read_submitters(path: Path) -> Submitters:
    """The submission's users; none, with the reason, when the file is absent or unreadable."""
    what = "The submission metadata"
    try:
        document = read_json(
            decode_utf8(read_bounded(path, max_bytes=MAX_METADATA_BYTES, what=what), what=what),
            what=what,
        )
    except (DomainError, UnreadableJson) as exc:
        return Submitters((), str(exc))
    users = document.get("users") if isinstance(document, Mapping) else None
    if not isinstance(users, list):
        return Submitters((), f"{what} lists no users.")
    return Submitters(tuple(_submitter(user) for user in users[:MAX_USERS]))


def _submitter(user: object) -> Submitter:
    fields = user if isinstance(user, Mapping) else {}
    email = _text(fields.get("email"))
    return Submitter(
        email=None if email is None else email.lower(),
        sid=_text(fields.get("sid")),
        id=_text(fields.get("id")),
        name=_text(fields.get("name")),
    )


def _text(value: object) -> str | None:
    """A short, non-blank string or whole number as text; anything else is unknown."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text if text and len(text) <= MAX_VALUE_CHARS and text.isprintable() else None


def variant_student(submitters: Submitters, which: VariantKey) -> tuple[str | None, str | None]:
    """Whose numbers grade the submission (None: the published ones), and a note saying so
    when that is not plainly the one submitter's own."""
    if which == "published":
        return None, None
    keys = [key for user in submitters.users if (key := user.key(which)) is not None]
    if not keys:
        why = submitters.problem or f"The submission metadata gives no {which} for its users."
        return None, f"{why} Graded against the published numbers."
    if len(submitters.users) > 1:
        return keys[0], f"A group submission: graded with the numbers of {shown(keys[0])}."
    return keys[0], None
