"""Every query on idempotent requests."""

from sqlalchemy.orm import Session

from app.db.models import IdempotentRequest


def by_key(session: Session, user_id: str, key: str) -> IdempotentRequest | None:
    """The first request a user sent with this key, or None."""
    return session.get(IdempotentRequest, (user_id, key))


def add(session: Session, request: IdempotentRequest) -> None:
    """Record a request's result; flushed, so a twin that got there first fails here."""
    session.add(request)
    session.flush()
