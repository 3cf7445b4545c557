"""Per-caller quotas over a moving window, counted by the `limits` library.

The counters live in a `limits` storage named by a URI ("memory://" in one process,
"redis://host:6379" when several processes must share them), so scaling out is a settings change.
When a shared store does not answer, each process counts on its own for a while (with a warning)
rather than refuse work that needs no shared store: typed submissions go on being graded.
"""

import logging
import math
import time
from collections.abc import Mapping
from threading import Lock
from typing import Any

from limits import RateLimitItem, parse_many
from limits.errors import ConfigurationError, StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from redis.backoff import NoBackoff
from redis.retry import Retry

from app.errors import RateLimited

log = logging.getLogger(__name__)

SHARED_RETRY_S = 5.0
"""How long the per-process counter stands in after the shared store failed, before it is
tried again (so an outage costs one failed round trip per process every few seconds)."""
REDIS_TIMEOUT_S = 0.5
"""How long one call to a Redis store may wait: a hit must not hang on an unreachable host."""
REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")


class RateLimiter:
    """Counts hits per (scope, key) in a moving window; a hit over the limit is refused.

    Every scope counts against `rate` except those `scopes` gives a rate of their own."""

    def __init__(
        self, rate: str, *, storage: str = "memory://", scopes: Mapping[str, str] | None = None
    ) -> None:
        self.rate = _one_rate(rate)
        self.scopes = {scope: _one_rate(own) for scope, own in (scopes or {}).items()}
        self.storage = storage
        self._shared = MovingWindowRateLimiter(_sync_storage(storage))
        self._local = MovingWindowRateLimiter(MemoryStorage())
        self._state = Lock()
        self._local_until = 0.0
        self._degraded = False

    def hit(self, scope: str, key: str) -> None:
        """Count one request of `key` in `scope`; raise RateLimited when over the limit."""
        limiter, allowed = self._count(scope, key)
        if allowed:
            return
        retry_after = self._retry_after(limiter, scope, key)
        raise RateLimited(
            f"Too many requests: at most {self.rate_of(scope)} for each token. "
            f"Try again in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )

    def rate_of(self, scope: str) -> RateLimitItem:
        """The rate the scope's hits count against."""
        return self.scopes.get(scope, self.rate)

    @property
    def degraded(self) -> bool:
        """Whether hits are counted by this process alone because the shared store failed."""
        return self._degraded

    def _count(self, scope: str, key: str) -> tuple[MovingWindowRateLimiter, bool]:
        """The limiter that counted the hit, and whether the hit was allowed."""
        if time.monotonic() >= self._local_until:
            try:
                allowed = self._shared.hit(self.rate_of(scope), scope, key)
            except StorageError as exc:
                self._fall_back(exc)
            else:
                self._recovered()
                return self._shared, allowed
        return self._local, self._local.hit(self.rate_of(scope), scope, key)

    def _fall_back(self, error: StorageError) -> None:
        with self._state:
            self._local_until = time.monotonic() + SHARED_RETRY_S
            self._degraded = True
        log.warning(
            "rate-limit storage %s did not answer (%s); counting in this process alone "
            "for %.0f s, so the limits hold per process meanwhile",
            _without_password(self.storage),
            error.storage_error,
            SHARED_RETRY_S,
        )

    def _recovered(self) -> None:
        if not self._degraded:
            return
        with self._state:
            self._degraded = False
        log.warning("rate-limit storage %s answers again", _without_password(self.storage))

    def _retry_after(self, limiter: MovingWindowRateLimiter, scope: str, key: str) -> int:
        """Whole seconds until the oldest hit in the window expires (at least 1)."""
        try:
            reset_time = limiter.get_window_stats(self.rate_of(scope), scope, key).reset_time
        except StorageError:
            # The store went away between the two calls: the whole window is an upper bound.
            return self.rate_of(scope).get_expiry()
        return max(1, math.ceil(reset_time - time.time()))


def _one_rate(rate: str) -> RateLimitItem:
    """One positive rate such as "120/minute"; anything else is a configuration error."""
    problem = ValueError(f"rate limit {rate!r} must be one positive rate such as '120/minute'")
    try:
        items = parse_many(rate)
    except ValueError as exc:
        raise problem from exc
    if len(items) != 1 or items[0].amount < 1:
        raise problem
    return items[0]


def _sync_storage(uri: str) -> Storage:
    try:
        # Wrapped, a shared store's outage reads the same (StorageError) whatever the store.
        backend = storage_from_string(uri, wrap_exceptions=True, **_options(uri))
    except ConfigurationError as exc:
        raise ValueError(f"rate-limit storage {_without_password(uri)!r}: {exc}") from exc
    # An asyncio storage would hand back coroutines, which are truthy: nothing would be refused.
    if not isinstance(backend, Storage):
        raise ValueError(f"rate-limit storage {_without_password(uri)!r} is not synchronous")
    return backend


def _options(uri: str) -> dict[str, Any]:
    """Bounded waits and no retries for Redis: the per-process counter is the retry."""
    # Any: the `limits` signature says options are scalars, but redis-py takes a Retry too.
    if not uri.startswith(REDIS_SCHEMES):
        return {}
    return {
        "socket_connect_timeout": REDIS_TIMEOUT_S,
        "socket_timeout": REDIS_TIMEOUT_S,
        "retry": Retry(NoBackoff(), 0),
    }


def _without_password(uri: str) -> str:
    """The URI as a log may show it: a password in it is replaced by asterisks."""
    scheme, separator, rest = uri.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not separator or not at or ":" not in credentials:
        return uri
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
