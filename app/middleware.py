"""A request-body size limit, enforced while the body streams in."""

import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PayloadTooLarge
from app.exception_handlers import error_response


class BodySizeLimit:
    """Refuse bodies larger than `limit` bytes with 413, whether or not Content-Length is set;
    paths matching one of `routes` have that route's limit instead (uploads)."""

    def __init__(self, app: ASGIApp, *, limit: int, routes: Sequence[tuple[str, int]] = ()) -> None:
        self.app = app
        self.limit = limit
        self.routes = [(re.compile(pattern), route_limit) for pattern, route_limit in routes]

    def limit_for(self, path: str) -> int:
        """The limit for a request path."""
        for pattern, route_limit in self.routes:
            if pattern.fullmatch(path):
                return route_limit
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read the body up to the limit first; the route then reads it from memory."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(limit, scope, receive, send)
            return
        messages = await self._buffer(receive, limit)
        if messages is None:
            await self._refuse(limit, scope, receive, send)
            return
        await self.app(scope, _replay(messages, receive), send)

    async def _buffer(self, receive: Receive, limit: int) -> list[Message] | None:
        messages: list[Message] = []
        seen = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages
            seen += len(message.get("body", b""))
            if seen > limit:
                return None
            if not message.get("more_body", False):
                return messages

    async def _refuse(self, limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        error = PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        await error_response(error)(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """Hand the buffered messages to the app, then fall back to the real channel."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
