"""Idempotency-Key: a retry of a request that was stored gets the first result back.

The key and the first result are stored in the same transaction as the work itself, so a
request is either stored with its key or not at all; a retry then stores nothing twice.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.engine import roll_back
from app.db.models import IdempotentRequest, User
from app.errors import IdempotencyKeyReused
from app.idempotency import repository

Result = TypeVar("Result", bound=BaseModel)


def digest_of(request: Any) -> str:
    """A digest of a request's JSON-able content: a retry must send the same."""
    text = json.dumps(request, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def once(
    session: Session,
    user: User,
    key: str | None,
    *,
    route: str,
    digest: str,
    status: int,
    model: type[Result],
    run: Callable[[], Result],
) -> tuple[Result, bool]:
    """The result of `run`, or of the first request with this key; and whether it is replayed."""
    if key is None:
        return run(), False
    first = repository.by_key(session, user.id, key)
    # Ends the read: no lock is held while the work runs.
    session.commit()
    if first is not None:
        return _replayed(first, route, digest, model), True
    result = run()
    record = IdempotentRequest(
        user_id=user.id,
        key=key,
        route=route,
        digest=digest,
        status=status,
        response=result.model_dump(mode="json"),
    )
    try:
        repository.add(session, record)
    except IntegrityError:
        # A twin sent at the same time was stored first: drop this one's work, answer the twin's.
        roll_back(session)
        twin = repository.by_key(session, user.id, key)
        if twin is None:
            raise
        return _replayed(twin, route, digest, model), True
    return result, False


def _replayed(first: IdempotentRequest, route: str, digest: str, model: type[Result]) -> Result:
    if first.route != route or first.digest != digest:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different request; "
            "send new work with a new key.",
            fields=["Idempotency-Key"],
        )
    return model.model_validate(first.response)
