"""Every query on users."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Role, User


def by_token_hash(session: Session, digest: str) -> User | None:
    """The user holding a token, revoked or not."""
    return session.scalars(select(User).where(User.token_hash == digest)).one_or_none()


def by_id(session: Session, user_id: str) -> User | None:
    """A user by id."""
    return session.get(User, user_id)


def add(session: Session, *, name: str, role: Role, digest: str) -> User:
    """Insert a user; flushed so that its id is known."""
    user = User(name=name, role=role.value, token_hash=digest)
    session.add(user)
    session.flush()
    return user


def add_many(
    session: Session, *, names: Sequence[str], role: Role, digests: Sequence[str]
) -> list[User]:
    """Insert users in one flush (one batched INSERT), in order."""
    users = [
        User(name=name, role=role.value, token_hash=digest)
        for name, digest in zip(names, digests, strict=True)
    ]
    session.add_all(users)
    session.flush()
    return users


def list_by_role(session: Session, role: Role) -> Sequence[User]:
    """Every user of a role, oldest first."""
    return session.scalars(
        select(User).where(User.role == role.value).order_by(User.created_at, User.name, User.id)
    ).all()


def any_instructor(session: Session) -> bool:
    """Whether an instructor exists (revoked or not)."""
    query = select(User.id).where(User.role == Role.INSTRUCTOR.value).limit(1)
    return session.scalars(query).first() is not None


def revoke(user: User, when: datetime) -> None:
    """Mark a user's token as revoked."""
    user.revoked_at = when
