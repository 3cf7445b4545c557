"""A request-body size limit and time limit, enforced while the body streams in."""

import time
from dataclasses import dataclass

import anyio
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PayloadTooLarge

ALLOWANCE = "dlgrade.body_allowance"
"""The scope key under which a request's body allowance lives."""


@dataclass
class BodyAllowance:
    """How many bytes a request's body may have; an upload route raises it before reading."""

    limit: int


def allow_body(request: Request, limit: int) -> None:
    """Let this request's body be up to `limit` bytes (an upload's own limit)."""
    allowance: BodyAllowance = request.scope[ALLOWANCE]
    allowance.limit = limit


class BodySizeLimit:
    """Refuse bodies larger than `limit` bytes with 413, whether or not Content-Length is set,
    and bodies still arriving `timeout_s` after the request began with 408; an upload route
    raises its own request's limit with `allow_body` before it reads the form.

    Nothing is buffered here and nothing is read before the route asks: a route reads the body
    once its caller is known (a multipart form spools its files to disk), so an
    unauthenticated request costs no memory, whatever its size."""

    def __init__(self, app: ASGIApp, *, limit: int, timeout_s: float = 60.0) -> None:
        self.app = app
        self.limit = limit
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count and time the body as it is read, against the request's allowance."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        allowance = BodyAllowance(self.limit)
        scope[ALLOWANCE] = allowance
        declared = dict(scope["headers"]).get(b"content-length")
        deadline = time.monotonic() + self.timeout_s
        limited = _limited(receive, allowance, declared, deadline, self.timeout_s)
        await self.app(scope, limited, send)


def _limited(
    receive: Receive,
    allowance: BodyAllowance,
    declared: bytes | None,
    deadline: float,
    timeout_s: float,
) -> Receive:
    """The receive channel, raising 413 past the allowance and 408 past `deadline`."""
    seen = 0
    done = False

    async def limited() -> Message:
        nonlocal seen, done
        if done:
            # The body is complete: what is left to hear is the client going away.
            return await receive()
        if seen == 0 and declared is not None and _over(declared, allowance.limit):
            # A declared oversize body is refused before a byte of it is read.
            raise _too_large(allowance.limit)
        with anyio.move_on_after(deadline - time.monotonic()) as waiting:
            message = await receive()
        if waiting.cancelled_caught:
            raise _too_slow(timeout_s)
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > allowance.limit:
                raise _too_large(allowance.limit)
            done = not message.get("more_body", False)
        return message

    return limited


def _over(declared: bytes, limit: int) -> bool:
    return not declared.isdigit() or int(declared) > limit


def _too_large(limit: int) -> HTTPException:
    # An HTTPException: FastAPI passes it on from its body reading, where any other error
    # becomes a 400; the connection is closed, since the rest of the body may still come.
    error = PayloadTooLarge(f"The request body is larger than {limit} bytes.")
    return HTTPException(error.status, detail=error.detail, headers={"Connection": "close"})


def _too_slow(timeout_s: float) -> HTTPException:
    detail = f"The request body did not arrive within {timeout_s:g} s; send it again."
    return HTTPException(408, detail=detail, headers={"Connection": "close"})
