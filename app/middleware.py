"""A request-body size limit and time limit, enforced while the body streams in."""

import re
import time
from collections.abc import Sequence

import anyio
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PayloadTooLarge
from app.exception_handlers import error_response


class BodySizeLimit:
    """Refuse bodies larger than `limit` bytes with 413, whether or not Content-Length is set,
    and bodies still arriving `timeout_s` after the request began with 408; paths matching one
    of `routes` have that route's size limit instead (uploads).

    Nothing is buffered here: the route reads the body as it arrives (a multipart form spools
    its files to disk), so a refused or unauthenticated request costs no memory."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        timeout_s: float = 60.0,
        routes: Sequence[tuple[str, int]] = (),
    ) -> None:
        self.app = app
        self.limit = limit
        self.timeout_s = timeout_s
        self.routes = [(re.compile(pattern), route_limit) for pattern, route_limit in routes]

    def limit_for(self, path: str) -> int:
        """The limit for a request path."""
        for pattern, route_limit in self.routes:
            if pattern.fullmatch(path):
                return route_limit
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a declared oversize body at once; count and time the rest as it is read."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await error_response(_too_large(limit))(scope, receive, send)
            return
        deadline = time.monotonic() + self.timeout_s
        await self.app(scope, _limited(receive, limit, deadline, self.timeout_s), send)


def _limited(receive: Receive, limit: int, deadline: float, timeout_s: float) -> Receive:
    """The receive channel, raising 413 past `limit` bytes and 408 past `deadline`."""
    seen = 0
    done = False

    async def limited() -> Message:
        nonlocal seen, done
        if done:
            # The body is complete: what is left to hear is the client going away.
            return await receive()
        with anyio.move_on_after(deadline - time.monotonic()) as waiting:
            message = await receive()
        if waiting.cancelled_caught:
            raise _too_slow(timeout_s)
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _as_http(_too_large(limit))
            done = not message.get("more_body", False)
        return message

    return limited


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The request body is larger than {limit} bytes.")


def _too_slow(timeout_s: float) -> HTTPException:
    # An HTTPException: FastAPI passes it on from its body reading, where any other error
    # becomes a 400; the connection is closed, since the rest of the body may still come.
    detail = f"The request body did not arrive within {timeout_s:g} s; send it again."
    return HTTPException(408, detail=detail, headers={"Connection": "close"})


def _as_http(error: PayloadTooLarge) -> HTTPException:
    return HTTPException(error.status, detail=error.detail, headers={"Connection": "close"})
