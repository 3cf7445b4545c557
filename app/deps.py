"""Dependencies as Annotated aliases: the session, the services, the caller."""

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request, Response, status
from sqlalchemy.orm import Session

from app.admission import Admission
from app.db.engine import committed
from app.db.models import User
from app.errors import RequestAbandoned, UnsupportedMediaType
from app.guard import fate_of
from app.idempotency.service import Result, once
from app.jobs.schemas import JobAccepted
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
        # Before anything is graded or shown: a regrade served by another process counts here.
        services.catalog_follower.follow(session)
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


@dataclass(frozen=True)
class Idempotency:
    """A route's Idempotency-Key, and the response that says when a result is replayed."""

    key: str | None
    response: Response

    def once(
        self,
        session: Session,
        user: User,
        *,
        route: str,
        digest: Callable[[], str],
        status: int,
        model: type[Result],
        run: Callable[[], Result],
    ) -> Result:
        """The result of `run`, or of the first request with this key (see app/idempotency)."""
        result, replayed = once(
            session,
            user,
            self.key,
            route=route,
            digest=digest() if self.key is not None else "",
            status=status,
            model=model,
            run=run,
        )
        if replayed:
            self.response.headers[REPLAYED_HEADER] = "true"
        return result

    def queued(
        self,
        session: Session,
        user: User,
        *,
        route: str,
        digest: Callable[[], str],
        run: Callable[[], JobAccepted],
    ) -> JobAccepted:
        """The job `run` queues (202), or the first request's job with this key."""
        return self.once(
            session,
            user,
            route=route,
            digest=digest,
            status=status.HTTP_202_ACCEPTED,
            model=JobAccepted,
            run=run,
        )


def get_idempotency(response: Response, key: IdempotencyKey = None) -> Idempotency:
    """The request's Idempotency-Key, if it sent one."""
    return Idempotency(key, response)


# Take `idempotency: IdempotencyDep` on a POST that stores work, and run the work through it.
IdempotencyDep = Annotated[Idempotency, Depends(get_idempotency)]
