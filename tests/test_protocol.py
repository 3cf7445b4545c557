"""The header time limit, against a real `dlgrade serve` with a 1 s limit: a client that
trickles its headers, or sends nothing, loses its connection; honest clients, slow ones
within the limit and kept-alive ones, are served."""

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

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
