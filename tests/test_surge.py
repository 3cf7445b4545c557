"""A deadline surge against a real `dlgrade serve` (one process; on SQLite, and on a PostgreSQL
database of its own): 200 students at once, 3 full submissions each. Every request is answered 201 or 503 in bounded time, and the
database holds exactly the acknowledged submissions. Clients that hang up mid-request store
nothing."""

import asyncio
import json
import secrets
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text

from app.deps import REPLAYED_HEADER
from benchmarks.submissions import DL_EX1_CORRECT
from tests.conftest import POSTGRES_URL_VARIABLE, postgres_url
from tests.test_server import HOST, Server, running

STUDENTS = 200
EACH = 3
BOUND_S = 60.0
URL = "/api/v1/problem-sets/dl-ex1/submissions"


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """`make run` on SQLite in its data directory, or on a new PostgreSQL database."""
    if request.param == "sqlite":
        with running(tmp_path) as started:
            yield started
        return
    with _own_database() as url, running(tmp_path, {"database_url": url}) as started:
        yield started


@contextmanager
def _own_database() -> Iterator[str]:
    """The URL of a new, empty database on the test PostgreSQL server, dropped afterwards,
    so that the surge neither sees nor leaves rows of other tests."""
    server_url = postgres_url()
    if server_url is None:
        pytest.skip(f"no PostgreSQL server ({POSTGRES_URL_VARIABLE} is not set)")
    name = f"dlgrade_surge_{secrets.token_hex(6)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as db:
            db.execute(text(f"CREATE DATABASE {name}"))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as db:
                # FORCE: a connection the stopped server left behind must not keep it alive.
                db.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    finally:
        admin.dispose()


async def _surge(server: Server, tokens: list[str]) -> list[tuple[int, float, str | None]]:
    """Every student sends EACH submissions one after another, all students at once."""
    body = json.dumps({"answers": DL_EX1_CORRECT})
    # A connection per request: a kept-alive one that the server closes when idle would fail
    # the client's next request before the server ever saw it.
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=0)
    outcomes: list[tuple[int, float, str | None]] = []
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=120) as client:

        async def student(token: str) -> None:
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            for _ in range(EACH):
                started = time.monotonic()
                response = await client.post(URL, content=body, headers=headers)
                stored = response.json().get("submission_id") if response.is_success else None
                outcomes.append((response.status_code, time.monotonic() - started, stored))
                if response.status_code == 503:
                    assert response.json()["error"] in ("ServiceBusy", "RequestAbandoned")
                    assert response.headers["Retry-After"]

        await asyncio.gather(*(student(token) for token in tokens))
    return outcomes


def test_a_surge_is_answered_201_or_503_and_stores_exactly_the_acknowledged(
    server: Server,
) -> None:
    tokens = server.enrol(STUDENTS, "surge")
    # In a thread of its own: another test's event loop (the browser tests') may be running here.
    with ThreadPoolExecutor(1) as thread:
        outcomes = thread.submit(lambda: asyncio.run(_surge(server, tokens))).result()
    assert len(outcomes) == STUDENTS * EACH
    assert {status for status, _, _ in outcomes} <= {201, 503}, _errors(server.log.read_text())
    assert max(seconds for _, seconds, _ in outcomes) < BOUND_S
    acknowledged = sorted(stored for status, _, stored in outcomes if status == 201)
    assert acknowledged and sorted(server.submission_ids("dl-ex1")) == acknowledged


def _hang_up(server: Server, token: str, key: str | None = None) -> None:
    """Send a whole submission, then close the connection before any answer comes."""
    body = json.dumps({"answers": DL_EX1_CORRECT}).encode()
    keyed = f"Idempotency-Key: {key}\r\n" if key else ""
    head = (
        f"POST {URL} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {token}\r\n{keyed}"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection((HOST, server.port)) as connection:
        connection.sendall(head + body)
        connection.shutdown(socket.SHUT_WR)


def test_requests_whose_clients_hang_up_store_nothing(server: Server) -> None:
    tokens = server.enrol(40, "gone")
    for token in tokens:
        _hang_up(server, token)
    # The hung-up requests are still being worked through; one answered request after them
    # (with one slot, FIFO) shows they have all been decided.
    answered = _submit_until_stored(server, tokens[0])
    time.sleep(2)
    assert server.submission_ids("dl-ex1") == [answered.json()["submission_id"]]


def test_a_retry_after_a_hang_up_is_stored_exactly_once(server: Server) -> None:
    [token] = server.enrol(1, "retry")
    key = "hung-up-then-retried"
    for _ in range(3):
        _hang_up(server, token, key)
    # Twins sent at once, while the hung-up ones may still be running; then a late retry.
    with ThreadPoolExecutor(2) as twins:
        retries = list(twins.map(lambda _: _submit_until_stored(server, token, key), range(2)))
    retries.append(_submit_until_stored(server, token, key))
    stored = {retry.json()["submission_id"] for retry in retries}
    replayed = [retry.headers.get(REPLAYED_HEADER) == "true" for retry in retries]
    assert len(stored) == 1 and server.submission_ids("dl-ex1") == list(stored)
    # At most one answer stored the work (none, if a hung-up one had committed first).
    assert replayed.count(False) <= 1 and replayed[-1], replayed
    time.sleep(2)
    assert server.submission_ids("dl-ex1") == list(stored)


def _submit_until_stored(server: Server, token: str, key: str = "after-the-gone") -> httpx.Response:
    """One submission, sent again after each 503 as its Retry-After says, until stored."""
    deadline = time.monotonic() + BOUND_S
    while True:
        response = httpx.post(
            f"{server.url}{URL}",
            json={"answers": DL_EX1_CORRECT},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
            timeout=BOUND_S,
        )
        if response.status_code != 503 or time.monotonic() > deadline:
            assert response.status_code == 201, response.text
            return response
        time.sleep(float(response.headers["Retry-After"]))


def _errors(log: str) -> str:
    """The server log from its first traceback on (or its end), to say why a request failed."""
    first = log.find("Traceback")
    return log[first : first + 6000] if first >= 0 else log[-3000:]
