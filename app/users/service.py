"""Who is calling, and creating users with tokens that are shown once."""

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.engine import create_db_engine, session_factory, transaction
from app.db.migrate import upgrade
from app.db.models import Role, User, utcnow
from app.errors import Forbidden, InvalidRequest, NotFound, Unauthorized
from app.untrusted import shown
from app.users import repository
from app.users.schemas import (
    MAX_NAME_CHARS,
    InstructorCreate,
    StudentCreate,
    control_problem,
    name_problem,
)
from app.users.tokens import new_token, token_hash

BEARER = "bearer"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A user and the only copy of their new token."""

    user: User
    token: str


@dataclass(frozen=True, slots=True)
class StudentMatch:
    """The students that class-file keys name, and the keys that name several."""

    found: dict[str, User]
    ambiguous: set[str]
    """Keys that are no login or id but the name of more than one student."""


def authenticate(session: Session, authorization: str | None) -> User:
    """The active user behind an `Authorization: Bearer <token>` header."""
    token = _bearer_token(authorization)
    user = repository.by_token_hash(session, token_hash(token))
    if user is None or user.revoked_at is not None:
        raise Unauthorized("This token is not valid (unknown or revoked); ask your instructor.")
    return user


def require_instructor(user: User) -> User:
    """The user, if an instructor."""
    if user.role != Role.INSTRUCTOR.value:
        raise Forbidden("Only an instructor may do this.")
    return user


def issue(
    session: Session,
    *,
    name: str,
    role: Role,
    token: str | None = None,
    login: str | None = None,
) -> IssuedToken:
    """Create a user with a fresh token (or a given one, for a bootstrap secret)."""
    token = token or new_token()
    user = repository.add(session, name=name, role=role, digest=token_hash(token), login=login)
    return IssuedToken(user, token)


def create_student(session: Session, student: StudentCreate) -> IssuedToken:
    """A new student and their token; a login another user holds is refused."""
    if student.login is not None and repository.by_logins(session, [student.login]):
        raise InvalidRequest(
            f"The login {shown(student.login)} is already used by another user.",
            fields=["login"],
        )
    return issue(session, name=student.name, role=Role.STUDENT, login=student.login)


def import_students(
    session: Session, roster: Sequence[StudentCreate], *, rows: Sequence[int] | None = None
) -> list[IssuedToken]:
    """New students, one per roster entry, in one batch; all or none (errors name `rows`)."""
    _refuse_taken_logins(session, roster, rows or range(1, len(roster) + 1))
    tokens = [new_token() for _ in roster]
    users = repository.add_many(
        session,
        names=[student.name for student in roster],
        role=Role.STUDENT,
        digests=[token_hash(token) for token in tokens],
        logins=[student.login for student in roster],
    )
    return [IssuedToken(user, token) for user, token in zip(users, tokens, strict=True)]


def students_by_key(session: Session, keys: Collection[str]) -> StudentMatch:
    """The students class-file keys name: by login, else by id, else by a name only one has."""
    # A key that could never have been stored (a control character, too long) names nobody,
    # and must not reach the database (PostgreSQL refuses NUL).
    left = {key for key in keys if len(key) <= MAX_NAME_CHARS and control_problem(key) is None}
    found = {
        key: user
        for key, user in repository.by_logins(session, left).items()
        if user.role == Role.STUDENT.value
    }
    found |= _students_by_id(session, left - found.keys())
    named = repository.students_named(session, left - found.keys())
    found |= {key: users[0] for key, users in named.items() if len(users) == 1}
    return StudentMatch(found, {key for key, users in named.items() if len(users) > 1})


def list_students(session: Session) -> Sequence[User]:
    """Every student, revoked or not, oldest first."""
    return repository.list_by_role(session, Role.STUDENT)


def revoke_student(session: Session, student_id: str) -> User:
    """Revoke a student's token; revoking twice keeps the first time."""
    user = _student(session, student_id)
    if user.revoked_at is None:
        repository.revoke(user, utcnow())
    return user


def reissue_token(session: Session, student_id: str) -> IssuedToken:
    """A fresh token for a student; the old one stops working at once."""
    user = _student(session, student_id)
    if user.revoked_at is not None:
        # A new token must not quietly undo a revocation an instructor chose.
        raise InvalidRequest(
            f"The access of {shown(user.name)} was revoked, and a revoked student gets no "
            "new token: a revocation cannot be undone."
        )
    token = new_token()
    repository.replace_token(user, token_hash(token))
    return IssuedToken(user, token)


def create_instructor(settings: Settings, name: str) -> str:
    """Migrate the database, add an instructor in one transaction and return their token."""
    try:
        valid = InstructorCreate(name=name)
    except ValidationError as exc:
        raise InvalidRequest(
            f"The name {shown(name)} cannot be used: {name_problem(exc)}."
        ) from exc
    engine = create_db_engine(settings.resolved_database_url)
    try:
        upgrade(engine)
        with transaction(session_factory(engine)) as session:
            issued = issue(session, name=valid.name, role=Role.INSTRUCTOR)
    finally:
        engine.dispose()
    return issued.token


def _student(session: Session, student_id: str) -> User:
    """The student with this id; anything else, a malformed id included, is not found."""
    missing = NotFound(f"There is no student {shown(student_id)}.")
    try:
        # Canonical form first: a stray byte such as NUL must never reach the database.
        canonical = str(uuid.UUID(student_id))
    except ValueError:
        raise missing from None
    user = repository.by_id(session, canonical)
    if user is None or user.role != Role.STUDENT.value:
        raise missing
    return user


def _refuse_taken_logins(
    session: Session, roster: Sequence[StudentCreate], rows: Sequence[int]
) -> None:
    """Refuse the whole roster if a login is held already, or given twice in it."""
    logins = [
        (row, student.login)
        for row, student in zip(rows, roster, strict=True)
        if student.login is not None
    ]
    taken = repository.by_logins(session, [login for _, login in logins])
    seen: set[str] = set()
    for row, login in logins:
        if login in taken or login in seen:
            where = "by another user" if login in taken else "by an earlier row"
            raise InvalidRequest(
                f"Nothing was imported: the login {shown(login)} on row {row} is already used "
                f"{where}. Change that login or leave it out.",
                fields=[f"row {row}"],
            )
        seen.add(login)


def _students_by_id(session: Session, keys: Collection[str]) -> dict[str, User]:
    """Keys that are the id of a student, in any of the spellings a UUID has."""
    canonical: dict[str, str] = {}
    for key in keys:
        try:
            canonical[key] = str(uuid.UUID(key))
        except ValueError:
            continue
    users = repository.by_ids(session, canonical.values())
    return {
        key: users[user_id]
        for key, user_id in canonical.items()
        if user_id in users and users[user_id].role == Role.STUDENT.value
    }


def _bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthorized("Send your token in the header Authorization: Bearer <token>.")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != BEARER or not token.strip():
        raise Unauthorized("The Authorization header must read: Bearer <token>.")
    return token.strip()
