"""The body time limit, against a real `dlgrade serve` with a 1 s limit: a submission whose
body trickles in gets 408 and a closed connection, and nothing of it is stored."""

import json
import socket
from collections.abc import Iterator

import httpx
import pytest

from benchmarks.submissions import DL_EX1_CORRECT
from tests.conftest import error_body
from tests.raw_http import exchange, request, trickle
from tests.test_server import HOST, Server, running

LIMIT_S = 1.0
BOUND_S = LIMIT_S + 5
GRADING_BOUND_S = 60.0
PROBLEM_SET = "dl-ex1"
URL = f"/api/v1/problem-sets/{PROBLEM_SET}/submissions"
BODY = json.dumps({"answers": DL_EX1_CORRECT}).encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module, with a body time limit short enough to wait out."""
    with running(tmp_path_factory.mktemp("body-limit"), {"body_timeout_s": str(LIMIT_S)}) as up:
        yield up


def _submission(token: str) -> bytes:
    headers = {"Host": HOST, "Authorization": f"Bearer {token}"}
    return request("POST", URL, {**headers, "Content-Type": "application/json"}, BODY)


def test_a_trickling_body_gets_408_a_closed_connection_and_stores_nothing(
    server: Server,
) -> None:
    [token] = server.enrol(1, "trickle")
    before = server.submission_ids(PROBLEM_SET)
    with socket.create_connection((HOST, server.port), timeout=BOUND_S) as connection:
        head, _, body = _submission(token).partition(b"\r\n\r\n")
        connection.sendall(head + b"\r\n\r\n")
        # Every byte is progress, yet the whole body (a valid submission) takes minutes.
        answer = trickle(connection, body, every_s=0.5, bound_s=BOUND_S)
    assert answer.closed and answer.status == 408, answer
    assert error_body(httpx.Response(408, content=answer.body))["error"] == "RequestTimeout"
    assert LIMIT_S / 2 < answer.seconds < BOUND_S
    assert server.submission_ids(PROBLEM_SET) == before


def test_a_body_sent_at_once_is_stored(server: Server) -> None:
    [token] = server.enrol(1, "prompt")
    before = server.submission_ids(PROBLEM_SET)
    with socket.create_connection((HOST, server.port), timeout=BOUND_S) as connection:
        answer = exchange(connection, _submission(token), bound_s=GRADING_BOUND_S)
    assert answer.status == 201, answer
    stored = sorted(server.submission_ids(PROBLEM_SET))
    assert stored == sorted([*before, answer.json()["submission_id"]])
