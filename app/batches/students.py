"""Which student each row of a class file names: found by login, id or name, or created when
the import is asked to."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.batches.parse import ClassRow
from app.batches.tally import Tally, bad_row
from app.db.models import Role, User
from app.errors import InvalidRequest
from app.jobs.protocol import UnitOfWork
from app.untrusted import shown
from app.users import repository as users_repository
from app.users.schemas import StudentCreate
from app.users.service import import_students, students_by_key

CREATE_ATTEMPTS = 3
"""Tries at creating the students while another import creates the same ones."""


@dataclass(frozen=True, slots=True)
class Matched:
    """A good row and its student; `published`: graded against the published numbers."""

    row: ClassRow
    user: User
    published: bool


@dataclass(frozen=True, slots=True)
class Named:
    """Whom a class file's keys name."""

    found: dict[str, User]
    ambiguous: set[str]
    """Keys that are no login or id but the name of more than one student."""
    taken: set[str]
    """Keys that are the login of a user who is not a student: no student is created for them."""
    created: dict[str, User]


def match_students(
    units: UnitOfWork,
    rows: Sequence[ClassRow],
    tally: Tally,
    *,
    create: bool,
    published: bool,
    since: datetime,
) -> list[Matched]:
    """Each row's student (created when asked for); rows naming none are bad rows. Students
    this import created, since `since`, are graded on the published numbers."""
    first_lines: dict[str, int] = {}
    for row in rows:
        first_lines.setdefault(row.student, row.line)
    named = _find_or_create(units, first_lines, create=create)
    fresh = set(named.created)
    fresh |= {key for key, user in named.found.items() if _created_by_import(key, user, since)}
    tally.created_students = len(fresh)
    matched: list[Matched] = []
    for row in rows:
        user = named.found.get(row.student) or named.created.get(row.student)
        problem = _student_problem(row.student, user, named)
        if problem is not None:
            tally.fail(bad_row(row, problem))
        elif user is not None:
            # A student this import created has never seen their own variant of the numbers.
            matched.append(Matched(row, user, published or row.student in fresh))
    return matched


def _find_or_create(units: UnitOfWork, first_lines: dict[str, int], *, create: bool) -> Named:
    """The students the keys name, in one transaction; tried again when another import
    created some of them meanwhile."""
    for attempt in range(CREATE_ATTEMPTS):
        try:
            with units() as session:
                named = _name(session, first_lines, create=create)
            return named
        except (IntegrityError, InvalidRequest):
            # Another import created some of these students first (their logins are taken):
            # they are found the next time round.
            if attempt == CREATE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _name(session: Session, first_lines: dict[str, int], *, create: bool) -> Named:
    match = students_by_key(session, first_lines)
    unknown = {
        key: line
        for key, line in first_lines.items()
        if key not in match.found and key not in match.ambiguous
    }
    # A student logged in as an instructor's login cannot be created: that row alone is bad.
    taken = _logins_of_others(session, unknown)
    left = {key: line for key, line in unknown.items() if key not in taken}
    created = _create(session, left) if create else {}
    return Named(match.found, match.ambiguous, taken, created)


def _logins_of_others(session: Session, keys: Collection[str]) -> set[str]:
    """Keys that are the login of a user who is not a student."""
    held = users_repository.by_logins(session, keys)
    return {key for key, user in held.items() if user.role != Role.STUDENT.value}


def _create(session: Session, first_lines: dict[str, int]) -> dict[str, User]:
    """New students named and logged in as their keys (so that the same file finds them
    again), with tokens nobody sees: an instructor issues new ones."""
    # The parser read every key as a valid name, which is a valid login too.
    roster = [StudentCreate(name=key, login=key) for key in first_lines]
    issued = import_students(session, roster, rows=list(first_lines.values()))
    return {key: token.user for key, token in zip(first_lines, issued, strict=True)}


def _created_by_import(key: str, user: User, since: datetime) -> bool:
    """Whether an import received at `since` created the student before it was cut off."""
    # Resumed, an import finds the students it created: they have still never been shown
    # their own numbers.
    return user.login == key and user.name == key and user.created_at >= since


def _student_problem(key: str, user: User | None, named: Named) -> str | None:
    if key in named.ambiguous:
        return f"{shown(key)} names more than one student; use their login or id."
    if key in named.taken:
        return (
            f"{shown(key)} is the login of a user who is not a student; "
            "use the student's own login, id or name."
        )
    if user is None:
        return f"No student {shown(key)}; import with create_students to add them."
    if user.revoked_at is not None:
        return f"The student {shown(key)} has been revoked; no work of theirs is imported."
    return None
