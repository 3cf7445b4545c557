"""The HTTP protocol `dlgrade serve` runs: uvicorn's httptools protocol, plus a time limit on
each request's line and headers, which uvicorn lacks.

Without it a client that sends its headers a byte at a time, or nothing at all, holds a
connection for as long as it likes, before the request ever reaches the admission limit or
the body time limit; enough such clients exhaust the server's connections.
"""

import asyncio
import json
from asyncio import TimerHandle
from functools import cache
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from app.config import Settings
from app.exception_handlers import HTTP_NAMES

REQUEST_TIMEOUT = 408


@cache
def header_timeout_s() -> float:
    """This process's limit on a request's line and headers, from DLGRADE_HEADER_TIMEOUT_S."""
    # uvicorn builds the protocol itself, in each server process, from an importable class:
    # like the app factory, it can only read its settings from the environment.
    return Settings().header_timeout_s


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """Close a connection whose next request line and headers are not all in within
    `header_timeout_s` of the connection opening or of the request's first byte; a client
    that had sent part of a request is told so with 408 first. Keep-alive is unchanged."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.header_timeout_s = header_timeout_s()
        self.header_timer: TimerHandle | None = None
        self.request_begun = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the clock for the first request's headers."""
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clock along with the connection."""
        self._cancel_header_timer()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        """Start the clock for a kept-alive connection's next request."""
        super().on_message_begin()
        self.request_begun = True
        if self.header_timer is None:
            self._arm_header_timer()

    def on_headers_complete(self) -> None:
        """Stop the clock: from here the body time limit and the request time limit apply."""
        self._cancel_header_timer()
        self.request_begun = False
        super().on_headers_complete()

    def _arm_header_timer(self) -> None:
        self.header_timer = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def _headers_too_slow(self) -> None:
        self.header_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined request: the server is still answering the one before and may have
            # paused reading, so the client is not the slow one; its clock starts again.
            self._arm_header_timer()
            return
        if self.request_begun:
            self.transport.write(self._timeout_response())
        self.transport.close()

    def _timeout_response(self) -> bytes:
        detail = (
            f"The request headers did not arrive within {self.header_timeout_s:g} s; "
            "send the request again."
        )
        body = json.dumps({"error": HTTP_NAMES[REQUEST_TIMEOUT], "detail": detail}).encode()
        head = [STATUS_LINE[REQUEST_TIMEOUT]]
        defaults = self.server_state.default_headers
        head += [name + b": " + value + b"\r\n" for name, value in defaults]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: " + str(len(body)).encode() + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        return b"".join(head) + body
