"""Dependencies as Annotated aliases: the session, the services, the caller."""

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from app.admission import Admission
from app.db.engine import committed
from app.db.models import User
from app.errors import RequestAbandoned, UnsupportedMediaType
from app.guard import fate_of
from app.services import Services
from app.users.service import authenticate, require_instructor


def get_services(request: Request) -> Services:
    """The services built at start-up."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def admitted(request: Request) -> AsyncIterator[None]:
    """A slot among the requests that may use the database now (503 when none comes free)."""
    admission: Admission = request.app.state.admission
    async with admission.slot():
        if fate_of(request).abandoned:
            # Its client hung up while it waited: no work is done for nobody.
            raise RequestAbandoned("The client went away before the request was served.")
        yield


def get_session(
    request: Request,
    services: ServicesDep,
    _slot: Annotated[None, Depends(admitted, scope="function")],
) -> Iterator[Session]:
    """One transaction per request: committed once when the route succeeds and its client still
    waits, else rolled back."""
    with services.sessions() as session, committed(session, gate=fate_of(request).committing()):
        yield session


# Function scope: the commit happens before the response is sent, so an acknowledged request
# is a stored one, and a failed commit is answered as the failure it is.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_current_user(
    session: SessionDep, authorization: Annotated[str | None, Header()] = None
) -> User:
    """The caller, from their bearer token."""
    user = authenticate(session, authorization)
    # End the read transaction now: grading takes milliseconds and must hold no database lock.
    session.commit()
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_instructor(user: CurrentUser) -> User:
    """The caller, who must be an instructor."""
    return require_instructor(user)


Instructor = Annotated[User, Depends(get_instructor)]


def require_json(request: Request) -> None:
    """Refuse a body that is not declared as JSON, before FastAPI tries to read it."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType("Send the body as JSON with Content-Type: application/json.")


JsonBody = Depends(require_json)


def multipart_required(what: str, example: str) -> Callable[[Request], None]:
    """A dependency refusing a body that is not multipart/form-data, before FastAPI tries to
    read a form; its message says what to send (`what`) and shows how (`example`)."""

    def require_multipart(request: Request) -> None:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "multipart/form-data":
            raise UnsupportedMediaType(f"Send {what} as multipart/form-data ({example}).")

    return require_multipart


def limit_submissions(services: ServicesDep, user: CurrentUser) -> User:
    """The caller, counted against their submission quota (settings.rate_limit per token)."""
    services.limiter.hit("submissions", user.id)
    return user


# Take `user: SubmissionQuota` instead of CurrentUser on POST .../submissions: 429 when over.
SubmissionQuota = Annotated[User, Depends(limit_submissions)]


def limit_previews(services: ServicesDep, user: CurrentUser) -> User:
    """The caller, counted against a preview quota of its own, so typing spends no submission."""
    services.limiter.hit("previews", user.id)
    return user


# Take `user: PreviewQuota` instead of CurrentUser on POST .../preview: 429 when over.
PreviewQuota = Annotated[User, Depends(limit_previews)]


def limit_checkpoints(services: ServicesDep, user: CurrentUser) -> User:
    """The caller, counted against a checkpoint-upload quota at the submission rate."""
    services.limiter.hit("checkpoints", user.id)
    return user


# Take `user: CheckpointQuota` on POST .../checkpoints: 429 when over.
CheckpointQuota = Annotated[User, Depends(limit_checkpoints)]


# Printable ASCII without spaces, as clients generate them (UUIDs, random strings).
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]{1,255}$"
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="Any unique string (a UUID): a retry with the same key and the same "
        "request gets the first result back and stores nothing twice.",
    ),
]
REPLAYED_HEADER = "Idempotent-Replayed"
