"""Every query on users."""

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Role, User

# Bound parameters per IN list: well under every backend's limit (SQLite's is 32,766).
IN_CHUNK = 500


def by_token_hash(session: Session, digest: str) -> User | None:
    """The user holding a token, revoked or not."""
    return session.scalars(select(User).where(User.token_hash == digest)).one_or_none()


def by_id(session: Session, user_id: str) -> User | None:
    """A user by id."""
    return session.get(User, user_id)


def by_logins(session: Session, logins: Collection[str]) -> dict[str, User]:
    """The users holding these logins, any role, by login."""
    found: dict[str, User] = {}
    for chunk in _chunks(logins):
        for user in session.scalars(select(User).where(User.login.in_(chunk))):
            if user.login is not None:
                found[user.login] = user
    return found


def by_ids(session: Session, user_ids: Collection[str]) -> dict[str, User]:
    """The users with these ids, any role, by id."""
    found: dict[str, User] = {}
    for chunk in _chunks(user_ids):
        found.update(
            (user.id, user) for user in session.scalars(select(User).where(User.id.in_(chunk)))
        )
    return found


def students_named(session: Session, names: Collection[str]) -> dict[str, list[User]]:
    """The students with each of these names (several may share one), oldest first."""
    found: dict[str, list[User]] = {}
    for chunk in _chunks(names):
        query = (
            select(User)
            .where(User.role == Role.STUDENT.value, User.name.in_(chunk))
            .order_by(User.created_at, User.id)
        )
        for user in session.scalars(query):
            found.setdefault(user.name, []).append(user)
    return found


def add(session: Session, *, name: str, role: Role, digest: str, login: str | None = None) -> User:
    """Insert a user; flushed so that its id is known."""
    user = User(name=name, role=role.value, token_hash=digest, login=login)
    session.add(user)
    session.flush()
    return user


def add_many(
    session: Session,
    *,
    names: Sequence[str],
    role: Role,
    digests: Sequence[str],
    logins: Sequence[str | None] | None = None,
) -> list[User]:
    """Insert users in one flush (one batched INSERT), in order."""
    logins = [None] * len(names) if logins is None else logins
    users = [
        User(name=name, role=role.value, token_hash=digest, login=login)
        for name, digest, login in zip(names, digests, logins, strict=True)
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


def replace_token(user: User, digest: str) -> None:
    """Give a user a new token digest; the old token no longer matches anyone."""
    user.token_hash = digest


def _chunks(values: Collection[str]) -> Iterator[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start : start + IN_CHUNK]
