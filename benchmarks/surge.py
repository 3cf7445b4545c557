"""The deadline surge of `python -m benchmarks.service --surge`: every student at once, each
sending their submissions one after another, a new connection per request."""

import asyncio
import json
import statistics
import time
from dataclasses import dataclass, field

import httpx

from benchmarks.submissions import DL_EX1_CORRECT
from benchmarks.timing import Tally, timed_post

URL = "/api/v1/problem-sets/dl-ex1/submissions"


@dataclass
class Surge(Tally):
    """What the surge saw: statuses, latencies, the ids acknowledged."""

    acknowledged: list[str] = field(default_factory=list)


async def surge(client: httpx.AsyncClient, students: list[str], each: int) -> Surge:
    """Every student sends `each` full submissions in a row, all students at once."""
    body = json.dumps({"answers": DL_EX1_CORRECT}).encode()
    seen = Surge()

    async def student(token: str) -> None:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        for _ in range(each):
            response = await timed_post(client, URL, body, headers, seen)
            if response is not None and response.status_code == 201:
                seen.acknowledged.append(response.json()["submission_id"])

    started = time.perf_counter()
    await asyncio.gather(*(student(token) for token in students))
    seen.elapsed = time.perf_counter() - started
    return seen


def client_limits(students: int) -> httpx.Limits:
    """A connection per request: no client-side reuse of a connection the server closed."""
    return httpx.Limits(max_connections=students, max_keepalive_connections=0)


def report(seen: Surge, stored: int, students: int, each: int) -> None:
    """Print the surge's figures."""
    refused = seen.statuses[503]
    other = seen.failures.total() + sum(
        count for code, count in seen.statuses.items() if code not in (201, 503)
    )
    print(f"deadline surge: {students} students x {each} full dl-ex1 submissions at once")
    print(f"  acknowledged  {len(seen.acknowledged):8d}   (201)")
    print(f"  refused       {refused:8d}   (503 with Retry-After)")
    print(f"  other         {other:8d}   {dict(seen.statuses)} {dict(seen.failures)}")
    verdict = "exactly the acknowledged" if stored == len(seen.acknowledged) else "MISMATCH"
    print(f"  stored        {stored:8d}   {verdict}")
    if len(seen.latencies) >= 2:
        percentiles = statistics.quantiles(seen.latencies, n=100)
        print(f"  latency p50   {statistics.median(seen.latencies) * 1000:8.1f} ms")
        print(f"  latency p99   {percentiles[98] * 1000:8.1f} ms")
    print(f"  elapsed       {seen.elapsed:8.1f} s")
