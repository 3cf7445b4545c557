"""The header time limit, against a real `dlgrade serve` with a 1 s limit: a client that
trickles its headers, or sends nothing, loses its connection; honest clients, slow ones
within the limit and kept-alive ones, are served. Then the protocol alone, on a transport
double, for a pipelined request behind a slow answer."""

import asyncio
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from app.protocol import HeaderTimeoutProtocol
from tests.conftest import error_body
from tests.raw_http import exchange, request, trickle
from tests.test_server import HOST, Server, running

LIMIT_S = 1.0
KEEP_ALIVE_S = 5
BOUND_S = LIMIT_S + 5
HEALTH = request("GET", "/healthz", {"Host": HOST})


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module: only connections differ between its tests."""
    settings = {"header_timeout_s": str(LIMIT_S), "keep_alive_s": str(KEEP_ALIVE_S)}
    with running(tmp_path_factory.mktemp("header-limit"), settings) as started:
        yield started


def _connect(server: Server) -> socket.socket:
    return socket.create_connection((HOST, server.port), timeout=BOUND_S)


@pytest.mark.parametrize("kept_alive", [False, True], ids=["new connection", "kept alive"])
def test_headers_trickled_past_the_limit_get_408_and_a_closed_connection(
    server: Server, kept_alive: bool
) -> None:
    with _connect(server) as connection:
        if kept_alive:
            assert exchange(connection, HEALTH, bound_s=BOUND_S).status == 200
        # Every byte is progress, yet the request as a whole never finishes in time.
        slow = request("GET", "/healthz", {"Host": HOST, "X-Padding": "p" * 200})
        answer = trickle(connection, slow, every_s=0.2, bound_s=BOUND_S)
    assert answer.closed and answer.status == 408, answer
    assert error_body(httpx.Response(408, content=answer.body))["error"] == "RequestTimeout"
    assert LIMIT_S / 2 < answer.seconds < BOUND_S


def test_a_connection_that_sends_nothing_is_closed_without_an_answer(server: Server) -> None:
    with _connect(server) as connection:
        started = time.monotonic()
        assert connection.recv(1024) == b""
    assert LIMIT_S / 2 < time.monotonic() - started < BOUND_S


def test_headers_that_arrive_slowly_but_within_the_limit_are_served(server: Server) -> None:
    with _connect(server) as connection:
        answer = trickle(connection, HEALTH, every_s=LIMIT_S / len(HEALTH) / 4, bound_s=BOUND_S)
    assert answer.status == 200 and answer.json() == {"status": "ok"}, answer


def test_a_kept_alive_connection_idle_longer_than_the_header_limit_serves_again(
    server: Server,
) -> None:
    with _connect(server) as connection:
        first = exchange(connection, HEALTH, bound_s=BOUND_S)
        # Idle between requests is the keep-alive limit's business, not the header limit's.
        time.sleep(LIMIT_S * 2)
        second = exchange(connection, HEALTH, bound_s=BOUND_S)
    assert (first.status, second.status) == (200, 200)
    assert not second.closed


# The protocol on its own, on a transport double: the same limit, shortened, and the one case
# a real client cannot show reliably, a pipelined request waiting behind a slow answer.
SHORT_S = 0.1
ANSWER_S = 4 * SHORT_S
REQUEST = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


class RecordingTransport:
    """The parts of a socket transport the protocol uses, recording what it is sent."""

    def __init__(self) -> None:
        self.sent = b""
        self.closed = False

    def write(self, data: bytes) -> None:
        self.sent += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: object = None) -> object:
        addresses = {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}
        return addresses.get(name, default)

    def pause_reading(self) -> None:
        """Reading is driven by the test, which feeds data itself."""

    def resume_reading(self) -> None:
        """Reading is driven by the test, which feeds data itself."""


async def _slow_app(scope: dict[str, object], receive: object, send: Callable[..., Any]) -> None:
    await asyncio.sleep(ANSWER_S)
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
    )
    await send({"type": "http.response.body", "body": b"ok"})


async def _fed(data: bytes, *, after_s: Sequence[float]) -> list[tuple[bytes, bool]]:
    """What the protocol has sent, and whether it closed, at each of `after_s` after `data`."""
    config = Config(app=_slow_app, lifespan="off", ws="none", log_config=None)
    protocol = HeaderTimeoutProtocol(config, ServerState(), {})
    protocol.header_timeout_s = SHORT_S
    transport = RecordingTransport()
    protocol.connection_made(transport)  # type: ignore[arg-type]  (a double)
    protocol.data_received(data)
    seen, started = [], time.monotonic()
    for moment in after_s:
        await asyncio.sleep(max(0.0, started + moment - time.monotonic()))
        seen.append((transport.sent, transport.closed))
    return seen


def _feed(data: bytes, *, after_s: Sequence[float]) -> list[tuple[bytes, bool]]:
    # In a thread of its own: another test's event loop (the browser tests') may be running.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, _fed(data, after_s=after_s)).result()


def test_the_protocol_answers_part_of_a_request_with_408_and_closes() -> None:
    [(sent, closed)] = _feed(b"GET / HTTP/1.1\r\nHo", after_s=[3 * SHORT_S])
    assert sent.startswith(b"HTTP/1.1 408 ") and closed
    head, _, body = sent.partition(b"\r\n\r\n")
    assert b"connection: close" in head
    assert error_body(httpx.Response(408, content=body))["error"] == "RequestTimeout"


def test_the_protocol_closes_a_silent_connection_without_an_answer() -> None:
    assert _feed(b"", after_s=[3 * SHORT_S]) == [(b"", True)]


def test_a_pipelined_request_is_not_timed_while_the_one_before_is_answered() -> None:
    waiting, answered = _feed(REQUEST + b"GET / HT", after_s=[2 * SHORT_S, ANSWER_S + 5 * SHORT_S])
    assert waiting == (b"", False)
    first, _, second = answered[0].partition(b"ok")
    assert first.startswith(b"HTTP/1.1 200 ") and second.startswith(b"HTTP/1.1 408 ")
    assert answered[1]
