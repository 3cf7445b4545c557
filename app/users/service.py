"""Who is calling, and creating users with tokens that are shown once."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.db.models import Role, User, utcnow
from app.errors import Forbidden, NotFound, Unauthorized
from app.users import repository
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


def revoke_student(session: Session, student_id: str) -> User:
    """Revoke a student's token; revoking twice keeps the first time."""
    user = repository.by_id(session, student_id)
    if user is None or user.role != Role.STUDENT.value:
        raise NotFound(f"There is no student {student_id!r}.")
    if user.revoked_at is None:
        repository.revoke(user, utcnow())
    return user


def _bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthorized("Send your token in the header Authorization: Bearer <token>.")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != BEARER or not token.strip():
        raise Unauthorized("The Authorization header must read: Bearer <token>.")
    return token.strip()
