"""Acknowledged means stored: a request commits only while its client still waits for it.

Each request carries a RequestFate. The client going away, or the request outliving its
deadline (the client then gets 503), gives the request up; its one commit then refuses and
rolls back. Once the commit has begun, neither can give it up any more: the request finishes
and answers. What is left, a client gone between the commit and the answer, is what the
Idempotency-Key header is for: the retry gets the first answer back.
"""

import asyncio
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import RequestAbandoned
from app.exception_handlers import error_response

log = logging.getLogger(__name__)

FATE_KEY = "dlgrade.fate"
DISCONNECT: Message = {"type": "http.disconnect"}
# Requests given up at their deadline keep running until their thread returns; holding them
# here keeps their tasks from being collected while they do.
_ABANDONED: set["asyncio.Task[None]"] = set()


class _State(Enum):
    OPEN = "open"
    COMMITTING = "committing"
    COMMITTED = "committed"
    ABANDONED = "abandoned"


class RequestFate:
    """Whether a request may still commit; shared by the event loop and the request's thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = _State.OPEN

    def abandon(self) -> bool:
        """Give the request up unless its commit has begun; True if it is given up."""
        with self._lock:
            if self._state is _State.OPEN:
                self._state = _State.ABANDONED
            return self._state is _State.ABANDONED

    @property
    def abandoned(self) -> bool:
        """Whether the request was given up."""
        return self._state is _State.ABANDONED

    @contextmanager
    def committing(self) -> Iterator[None]:
        """Around the commit: refuses when given up; once entered, nothing gives it up."""
        with self._lock:
            if self._state is _State.ABANDONED:
                raise RequestAbandoned("The request was given up before it was stored.")
            self._state = _State.COMMITTING
        try:
            yield
        except BaseException:
            self._set(_State.OPEN)
            raise
        self._set(_State.COMMITTED)

    def _set(self, state: _State) -> None:
        with self._lock:
            self._state = state


def fate_of(request: Request) -> RequestFate:
    """The request's fate; a request that came without the guard (a test's) gets a fresh one."""
    fate = request.scope.get(FATE_KEY)
    return fate if isinstance(fate, RequestFate) else RequestFate()


class RequestGuard:
    """Gives a request up when its client disconnects, or `timeout_s` after its body arrived."""

    def __init__(self, app: ASGIApp, *, timeout_s: float) -> None:
        self.app = app
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request, watching its client and its deadline."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fate = RequestFate()
        scope[FATE_KEY] = fate
        channel = _Channel(receive, fate)
        reply = _Reply(send)
        task = asyncio.ensure_future(self.app(scope, channel.receive, reply.send))
        try:
            await self._watch(task, channel, fate, reply, scope, receive, send)
        except asyncio.CancelledError:
            task.cancel()
            raise
        finally:
            channel.close()

    async def _watch(
        self,
        task: "asyncio.Task[None]",
        channel: "_Channel",
        fate: RequestFate,
        reply: "_Reply",
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        body = asyncio.ensure_future(channel.body_done.wait())
        await asyncio.wait({task, body}, return_when=asyncio.FIRST_COMPLETED)
        body.cancel()
        finished, _ = await asyncio.wait({task}, timeout=self.timeout_s)
        if finished or not fate.abandon():
            # Done, or committing: a commit that has begun is never cut off.
            await task
            return
        log.warning("%s %s given up after %g s", scope["method"], scope["path"], self.timeout_s)
        _ABANDONED.add(task)
        task.add_done_callback(_ABANDONED.discard)
        if reply.mute():
            error = RequestAbandoned(
                f"The request took longer than {self.timeout_s:g} s, so nothing was stored; "
                "send it again.",
                headers={"Retry-After": "5"},
            )
            await error_response(error)(scope, receive, send)


class _Reply:
    """The response channel, which the guard can take over before the route starts answering."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._started = False
        self._muted = False

    def mute(self) -> bool:
        """Drop the route's messages from now on; True if it had not begun to answer."""
        self._muted = True
        return not self._started

    async def send(self, message: Message) -> None:
        """Pass a message on unless muted."""
        if self._muted:
            return
        if message["type"] == "http.response.start":
            self._started = True
        await self._send(message)


class _Channel:
    """The request channel, pumped by a task that notices the client going away at any time."""

    def __init__(self, receive: Receive, fate: RequestFate) -> None:
        self._receive = receive
        self._fate = fate
        # One message at a time: the body is read no faster than the route takes it.
        self._messages: asyncio.Queue[Message | BaseException] = asyncio.Queue(maxsize=1)
        self.body_done = asyncio.Event()
        self._pump = asyncio.ensure_future(self._run())

    async def receive(self) -> Message:
        """The next message; after a disconnect, the disconnect again."""
        message = await self._messages.get()
        if isinstance(message, BaseException):
            raise message
        if message["type"] == "http.disconnect":
            self._messages.put_nowait(message)
        return message

    def close(self) -> None:
        """Stop listening."""
        self._pump.cancel()

    async def _run(self) -> None:
        try:
            while True:
                message = await self._receive()
                if message["type"] != "http.request":
                    self._fate.abandon()
                    self.body_done.set()
                    await self._messages.put(DISCONNECT)
                    return
                if not message.get("more_body", False):
                    self.body_done.set()
                await self._messages.put(message)
        except Exception as error:
            # The body was refused on its way in (too large, too slow): the route hears why.
            self.body_done.set()
            await self._messages.put(error)
