"""The parent's handle on one worker process: start it, send one request, collect one reply."""

import signal
import threading
from collections.abc import Callable
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import ForkingPickler
from typing import Final

from app.sandbox.errors import SandboxCrashed, SandboxTimeout, WorkerError
from app.sandbox.serve import FATAL, OK, PREPARED, READY, Reply, Request, serve

STARTUP_TIMEOUT_S: Final = 60.0
"""Seconds a new worker may take to start and run its initializer (not charged to any call)."""

PREPARE_TIMEOUT_S: Final = 60.0
"""Seconds a request's preparation may take (not charged to the call's own deadline)."""

_REAP_TIMEOUT_S: Final = 5.0
_EXIT_GRACE_S: Final = 1.0


class Worker:
    """One long-lived worker process and our end of its pipe; one caller uses it at a time."""

    def __init__(
        self,
        context: SpawnContext | ForkServerContext,
        *,
        memory_limit_bytes: int,
        initializer: Callable[[], None] | None,
    ) -> None:
        self._conn, child_end = context.Pipe()
        lifeline_end, self._lifeline = context.Pipe(duplex=False)
        self._process: BaseProcess = context.Process(
            target=serve,
            args=(child_end, lifeline_end, memory_limit_bytes, initializer),
            name="dlgrade-grading-worker",
            daemon=True,
        )
        try:
            self._process.start()
        except BaseException:
            self._close_pipes()
            raise
        finally:
            # Only the child may hold these ends, or its death would not show up here as EOF.
            child_end.close()
            lifeline_end.close()
        self._ready = False
        self._kill_lock = threading.Lock()
        self.broken = False
        """True once this worker must not be reused: killed, dead, or told us it is exiting."""

    def call(self, request: Request, timeout: float) -> object:
        """Run one request and return its result, or raise a SandboxError subclass."""
        if not self._ready:
            self._await_ready()
        # Pickled first, so an unpicklable request fails before a byte is written.
        message = ForkingPickler.dumps(request)
        try:
            self._send(message)
            reply = self._prepared(request)
            if reply is None:
                reply = self._receive(timeout)
        except BaseException:
            # Interrupted mid-way, the pipe may hold half a request or this caller's reply.
            self.kill()
            raise
        if reply is None:
            self.kill()
            raise SandboxTimeout(f"no answer within {timeout:g} s; the worker was killed")
        return self._unwrap(reply)

    def _prepared(self, request: Request) -> Reply | None:
        """Wait for the request's preparation: None once done (or when there is none to wait
        for), else the reply that ends the call."""
        if request[0] is None:
            return None
        reply = self._receive(PREPARE_TIMEOUT_S)
        if reply is None:
            self.kill()
            raise SandboxCrashed(f"the worker did not prepare within {PREPARE_TIMEOUT_S:g} s")
        return None if reply[0] == PREPARED else reply

    def kill(self) -> None:
        """SIGKILL the process and reap it; safe to call twice and from two threads."""
        self._stop(grace_s=0.0)

    def close(self) -> None:
        """Kill the process and close our pipes; only the thread using this worker may call it."""
        self.kill()
        self._close_pipes()

    def _close_pipes(self) -> None:
        """Close our ends of the request pipe and the lifeline."""
        self._conn.close()
        self._lifeline.close()

    def _stop(self, *, grace_s: float) -> None:
        """Give the process grace_s seconds to exit by itself, then SIGKILL and reap it."""
        self.broken = True
        with self._kill_lock:
            self._process.join(grace_s)
            if self._process.exitcode is None:
                self._process.kill()
                self._process.join(_REAP_TIMEOUT_S)

    def _await_ready(self) -> None:
        """Wait for the first message, sent once the limits and the initializer are in place."""
        reply = self._receive(STARTUP_TIMEOUT_S)
        if reply is None:
            self.kill()
            raise SandboxCrashed(f"the worker did not start within {STARTUP_TIMEOUT_S:g} s")
        tag, payload = reply
        if tag != READY:
            self.kill()
            raise SandboxCrashed("the worker failed to start: {}: {}".format(*payload))
        self._ready = True

    def _send(self, message: memoryview) -> None:
        """Send a pickled request; a dead worker raises SandboxCrashed."""
        try:
            self._conn.send_bytes(message)
        except OSError:
            raise self._crashed() from None

    def _receive(self, timeout: float) -> Reply | None:
        """The worker's next reply, or None if none arrived in time."""
        try:
            if not self._conn.poll(timeout):
                return None
            # Safe to unpickle: the pipe only ever carries our own objects, the replies that
            # serve() builds from the results of our own grading functions.
            reply: Reply = self._conn.recv()
        except (EOFError, OSError):
            raise self._crashed() from None
        return reply

    def _unwrap(self, reply: Reply) -> object:
        """The result of an OK reply; otherwise the WorkerError it carries."""
        tag, payload = reply
        if tag == OK:
            return payload
        if tag == FATAL:
            self.kill()
        raise WorkerError(*payload)

    def _crashed(self) -> SandboxCrashed:
        """Reap the dead worker and describe how it died."""
        # Its pipe closes a moment before it is reaped; waiting keeps the real exit status.
        self._stop(grace_s=_EXIT_GRACE_S)
        stage = "died" if self._ready else "failed to start"
        code = self._process.exitcode
        if code is not None and code < 0:
            return SandboxCrashed(f"the worker {stage}: killed by {signal.Signals(-code).name}")
        return SandboxCrashed(f"the worker {stage}: exited with code {code}")
