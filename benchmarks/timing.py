"""One timed request, counted into a tally of statuses, failures and latencies."""

import time
from collections import Counter
from dataclasses import dataclass, field

import httpx


@dataclass
class Tally:
    """What a run of requests saw."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0


async def timed_post(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str], tally: Tally
) -> httpx.Response | None:
    """POST and count the outcome; None when no answer came."""
    started = time.perf_counter()
    try:
        response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        tally.failures[type(exc).__name__] += 1
        return None
    tally.latencies.append(time.perf_counter() - started)
    tally.statuses[response.status_code] += 1
    return response
