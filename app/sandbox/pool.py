"""A fixed-size pool of long-lived worker processes that run functions under a deadline."""

import enum
import math
import multiprocessing
import queue
import threading
from collections.abc import Callable
from multiprocessing.context import ForkServerContext, SpawnContext
from types import TracebackType
from typing import Self, TypeVar, cast

from app.grading import limits
from app.sandbox.errors import SandboxCrashed, SandboxError
from app.sandbox.worker import Worker

T = TypeVar("T")


class _Slot(enum.Enum):
    """Queue entries that are not idle workers."""

    EMPTY = "no worker here yet; the caller who takes it starts one"
    CLOSED = "the pool is closed; whoever takes this puts it back for the next waiter"


class WorkerPool:
    """Worker processes, started once and reused, that run module-level functions in a sandbox."""

    def __init__(
        self,
        *,
        size: int = 1,
        memory_limit_bytes: int = limits.WORKER_MEMORY_LIMIT_BYTES,
        initializer: Callable[[], None] | None = None,
        start_method: str = "forkserver",
    ) -> None:
        if size < 1:
            raise ValueError(f"a pool needs at least one worker, not {size}")
        self._context = _context(start_method)
        self._memory_limit_bytes = memory_limit_bytes
        self._initializer = initializer
        self._lock = threading.Lock()
        self._slots: queue.SimpleQueue[Worker | _Slot] = queue.SimpleQueue()
        self._live: set[Worker] = set()
        self._closed = False
        for _ in range(size):
            self._refill()

    def call(
        self,
        fn: Callable[..., T],
        /,
        *args: object,
        timeout: float,
        prepare: Callable[[], object] | None = None,
        **kwargs: object,
    ) -> T:
        """Run fn(*args, **kwargs) in a free worker; raise a SandboxError if no result comes.

        `prepare`, when given, runs in that worker first (loading what fn needs); the timeout
        counts from when it is done, so the deadline bounds fn alone."""
        # ParamSpec cannot express the keyword-only timeout, so fn's arguments go unchecked.
        if not (timeout > 0 and math.isfinite(timeout)):
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        worker = self._acquire()
        try:
            return cast(T, worker.call((prepare, fn, args, kwargs), timeout))
        finally:
            self._release(worker)

    def close(self) -> None:
        """Kill every worker; calls in flight raise SandboxCrashed, later calls SandboxError."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            busy_or_idle, self._live = self._live, set()
        for worker in busy_or_idle:
            worker.kill()
        self._close_idle()
        self._slots.put(_Slot.CLOSED)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _acquire(self) -> Worker:
        """Wait for a free worker (queue time is not charged to the call's deadline)."""
        slot = self._slots.get()
        if slot is _Slot.CLOSED:
            self._slots.put(slot)
            raise SandboxError("the worker pool is closed")
        if slot is _Slot.EMPTY:
            return self._start_in_empty_slot()
        return slot

    def _release(self, worker: Worker) -> None:
        """Return a healthy worker to the queue; replace a broken one."""
        with self._lock:
            if not worker.broken and not self._closed:
                self._slots.put(worker)
                return
            self._live.discard(worker)
        worker.close()
        self._refill()

    def _refill(self) -> None:
        """Start a worker for a free slot now, so its start-up overlaps the caller's idle time."""
        try:
            self._slots.put(self._start_worker())
        except OSError:
            self._slots.put(_Slot.EMPTY)
        except SandboxError:
            pass

    def _start_in_empty_slot(self) -> Worker:
        """Start a worker for a slot whose earlier start failed; keep the slot if this one fails."""
        try:
            return self._start_worker()
        except OSError as exc:
            self._slots.put(_Slot.EMPTY)
            raise SandboxCrashed(f"could not start a worker: {exc}") from None
        except SandboxError:
            self._slots.put(_Slot.CLOSED)
            raise

    def _start_worker(self) -> Worker:
        """Start and register one worker; SandboxError if the pool has been closed meanwhile."""
        with self._lock:
            if self._closed:
                raise SandboxError("the worker pool is closed")
            worker = Worker(
                self._context,
                memory_limit_bytes=self._memory_limit_bytes,
                initializer=self._initializer,
            )
            self._live.add(worker)
        return worker

    def _close_idle(self) -> None:
        """Release the pipes of workers waiting in the queue (their processes are already dead)."""
        while True:
            try:
                slot = self._slots.get_nowait()
            except queue.Empty:
                return
            if isinstance(slot, Worker):
                slot.close()


def _context(start_method: str) -> SpawnContext | ForkServerContext:
    """The multiprocessing context; plain fork is refused since the parent runs threads."""
    if start_method == "forkserver":
        return multiprocessing.get_context("forkserver")
    if start_method == "spawn":
        return multiprocessing.get_context("spawn")
    raise ValueError(f"start_method must be 'forkserver' or 'spawn', not {start_method!r}")
