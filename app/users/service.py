"""Who is calling, and creating users with tokens that are shown once."""

import uuid
from collections.abc import Sequence
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
from app.users.schemas import InstructorCreate, StudentCreate, name_problem
from app.users.tokens import new_token, token_hash

BEARER = "bearer"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new user and the only copy of their token."""

    user: User
    token: str


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


def issue(session: Session, *, name: str, role: Role, token: str | None = None) -> IssuedToken:
    """Create a user with a fresh token (or a given one, for a bootstrap secret)."""
    token = token or new_token()
    user = repository.add(session, name=name, role=role, digest=token_hash(token))
    return IssuedToken(user, token)


def create_student(session: Session, student: StudentCreate) -> IssuedToken:
    """A new student and their token."""
    return issue(session, name=student.name, role=Role.STUDENT)


def import_students(session: Session, roster: Sequence[StudentCreate]) -> list[IssuedToken]:
    """New students, one per roster entry, inserted in one batch."""
    tokens = [new_token() for _ in roster]
    users = repository.add_many(
        session,
        names=[student.name for student in roster],
        role=Role.STUDENT,
        digests=[token_hash(token) for token in tokens],
    )
    return [IssuedToken(user, token) for user, token in zip(users, tokens, strict=True)]


def list_students(session: Session) -> Sequence[User]:
    """Every student, revoked or not, oldest first."""
    return repository.list_by_role(session, Role.STUDENT)


def revoke_student(session: Session, student_id: str) -> User:
    """Revoke a student's token; revoking twice keeps the first time."""
    user = _student(session, student_id)
    if user.revoked_at is None:
        repository.revoke(user, utcnow())
    return user


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


def _bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthorized("Send your token in the header Authorization: Bearer <token>.")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != BEARER or not token.strip():
        raise Unauthorized("The Authorization header must read: Bearer <token>.")
    return token.strip()
