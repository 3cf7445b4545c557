"""The loop each worker process runs: limit itself, warm up, then answer requests in order."""

import os
import resource
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Final

READY: Final = "ready"
PREPARED: Final = "prepared"
OK: Final = "ok"
ERROR: Final = "error"
FATAL: Final = "fatal"
"""Reply tags. PREPARED: a request's preparation is done and its function starts now. FATAL
means the worker reported a failure and is exiting (a MemoryError, a failed initializer):
whatever state it was in is not worth keeping."""

Request = tuple[Callable[[], object] | None, Callable[..., Any], tuple[Any, ...], dict[str, Any]]
"""What to prepare first (None: nothing), then the function and its arguments."""
Reply = tuple[str, Any]

_MAX_MESSAGE_CHARS: Final = 1_000


def serve(
    conn: Connection,
    lifeline: Connection,
    memory_limit_bytes: int,
    initializer: Callable[[], None] | None,
) -> None:
    """Run one worker: apply limits, run the initializer, then answer until the pipe closes."""
    _limit_resources(memory_limit_bytes)
    _exit_with_parent(lifeline)
    # Ctrl-C reaches the whole process group; the parent decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    serving = _send(conn, _warm_up(initializer))
    while serving and (request := _receive(conn)) is not None:
        serving = _serve_request(conn, request)


def _limit_resources(memory_limit_bytes: int) -> None:
    """Cap the address space and forbid core dumps (a crash must not write GBs to disk)."""
    _lower_limit(resource.RLIMIT_AS, memory_limit_bytes)
    _lower_limit(resource.RLIMIT_CORE, 0)


def _lower_limit(which: int, value: int) -> None:
    """Set the soft and hard limit to value, never above an existing hard limit."""
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def _exit_with_parent(lifeline: Connection) -> None:
    """Start a watchdog thread that ends this worker once the pool's process is gone."""
    # An idle worker sees EOF on its request pipe when the pool's process dies, but a busy one
    # (stuck in a runaway computation) never reads again. The parent never writes to the
    # lifeline and is its only writer, so EOF there means it has closed it or died. Watching
    # the parent pid would not do: under forkserver every worker keeps the fork server alive.

    def watch() -> None:
        try:
            lifeline.recv_bytes()
        except (EOFError, OSError):
            pass
        os._exit(1)

    threading.Thread(target=watch, name="lifeline-watchdog", daemon=True).start()


def _warm_up(initializer: Callable[[], None] | None) -> Reply:
    """Run the initializer; READY when it succeeds, FATAL with its exception when not."""
    try:
        if initializer is not None:
            initializer()
    except Exception as exc:
        return (FATAL, _describe(exc))
    return (READY, None)


def _receive(conn: Connection) -> Request | None:
    """Next request from the parent, or None once the parent has closed its end."""
    try:
        request: Request = conn.recv()
    except (EOFError, OSError):
        return None
    return request


def _serve_request(conn: Connection, request: Request) -> bool:
    """Prepare, say so, then answer; False when the worker must stop."""
    prepare, fn, args, kwargs = request
    if prepare is not None:
        prepared = _answer(prepare, (), {})
        if prepared[0] != OK:
            return _send(conn, prepared)
        # The caller's deadline for the function starts with this message.
        if not _send(conn, (PREPARED, None)):
            return False
    return _send(conn, _answer(fn, args, kwargs))


def _answer(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Reply:
    """Call the function and wrap its result or exception as a reply."""
    try:
        return (OK, fn(*args, **kwargs))
    except MemoryError as exc:
        return (FATAL, _describe(exc))
    except Exception as exc:
        return (ERROR, _describe(exc))


def _send(conn: Connection, reply: Reply) -> bool:
    """Send a reply (an unpicklable result becomes an error); False when the worker must stop."""
    try:
        conn.send(reply)
    except OSError:
        return False
    except Exception as exc:
        reply = (FATAL if isinstance(exc, MemoryError) else ERROR, _describe(exc))
        return _send(conn, reply)
    return reply[0] != FATAL


def _describe(exc: BaseException) -> tuple[str, str]:
    """The exception's type name and a bounded message; never the exception object itself."""
    try:
        message = str(exc)
    except Exception:
        message = "<unprintable exception message>"
    return (type(exc).__name__, message[:_MAX_MESSAGE_CHARS])
