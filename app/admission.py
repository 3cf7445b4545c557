"""How many requests may hold the database at once, and how many more may wait for it.

A deadline brings every student at once. Past capacity, a request waits in a bounded queue
for a bounded time, or is refused at once with 503 and Retry-After; it never hangs on the
connection pool. The slots are fewer than the threads that run sync routes, so a request
that holds a connection can always get a thread to commit and let it go.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from app.errors import ServiceBusy

RETRY_AFTER_S = 5


class Admission:
    """At most `slots` requests inside at once; up to `queue` more wait, each at most `wait_s`."""

    def __init__(self, *, slots: int, queue: int, wait_s: float) -> None:
        self.slots = slots
        self.queue = queue
        self.wait_s = wait_s
        self._semaphore = anyio.Semaphore(slots)
        self._waiting = 0

    @property
    def waiting(self) -> int:
        """How many requests wait for a slot now."""
        return self._waiting

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a slot for the block; ServiceBusy when the queue is full or the wait too long."""
        if self._semaphore.value == 0 and self._waiting >= self.queue:
            raise _busy("Too many requests are waiting")
        self._waiting += 1
        try:
            with anyio.move_on_after(self.wait_s) as waiting:
                await self._semaphore.acquire()
        finally:
            self._waiting -= 1
        if waiting.cancelled_caught:
            raise _busy(f"No room came free within {self.wait_s:g} s")
        try:
            yield
        finally:
            self._semaphore.release()


def _busy(why: str) -> ServiceBusy:
    return ServiceBusy(
        f"{why}: the service is at capacity. Nothing was stored; send the same request "
        f"again in {RETRY_AFTER_S} s.",
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )
