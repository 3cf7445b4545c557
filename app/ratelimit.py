"""Per-caller quotas over a moving window, counted by the `limits` library.

The counters live in a `limits` storage named by a URI ("memory://" in one process,
"redis://host:6379" when several processes must share them), so scaling out is a settings change.
"""

import math
import time

from limits import RateLimitItem, parse_many
from limits.errors import ConfigurationError, StorageError
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from app.errors import RateLimited, Unavailable


class RateLimiter:
    """Counts hits per (scope, key) in a moving window; a hit over the limit is refused."""

    def __init__(self, rate: str, *, storage: str = "memory://") -> None:
        self.rate = _one_rate(rate)
        self._limiter = MovingWindowRateLimiter(_sync_storage(storage))

    def hit(self, scope: str, key: str) -> None:
        """Count one request of `key` in `scope`; raise RateLimited when over the limit."""
        try:
            allowed = self._limiter.hit(self.rate, scope, key)
        except StorageError as exc:
            raise Unavailable("The request counter cannot be reached; try again shortly.") from exc
        if allowed:
            return
        retry_after = self.retry_after(scope, key)
        raise RateLimited(
            f"Too many requests: at most {self.rate} for each token. Try again in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )

    def retry_after(self, scope: str, key: str) -> int:
        """Whole seconds until the oldest hit in the window expires (at least 1)."""
        reset_time = self._limiter.get_window_stats(self.rate, scope, key).reset_time
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
        backend = storage_from_string(uri, wrap_exceptions=True)
    except ConfigurationError as exc:
        raise ValueError(f"rate-limit storage {uri!r}: {exc}") from exc
    # An asyncio storage would hand back coroutines, which are truthy: nothing would be refused.
    if not isinstance(backend, Storage):
        raise ValueError(f"rate-limit storage {uri!r} is not a synchronous storage")
    return backend
