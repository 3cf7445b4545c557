"""HTTP/1.1 by hand on a socket, for clients no HTTP library would be: ones that trickle
their request a byte at a time, or hang up before the answer."""

import json
import select
import socket
import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Answer:
    """What came back on a connection: a response (if any) and whether the server closed."""

    status: int | None
    headers: dict[str, str]
    body: bytes
    closed: bool
    seconds: float

    def json(self) -> Any:
        """The body, parsed."""
        return json.loads(self.body)


def request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    """A request's bytes; Content-Length is added when there is a body."""
    lines = [f"{method} {path} HTTP/1.1", *(f"{name}: {value}" for name, value in headers.items())]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def trickle(connection: socket.socket, data: bytes, *, every_s: float, bound_s: float) -> Answer:
    """Send `data` a byte every `every_s` seconds until the server answers or closes (or
    `bound_s` passes), then read its answer."""
    started = time.monotonic()
    for byte in data:
        if time.monotonic() - started > bound_s:
            break
        try:
            connection.sendall(bytes([byte]))
        except OSError:
            break
        readable, _, _ = select.select([connection], [], [], every_s)
        if readable:
            break
    received, closed = _read_until_closed(connection, started + bound_s)
    return _answer(received, closed=closed, seconds=time.monotonic() - started)


def exchange(connection: socket.socket, data: bytes, *, bound_s: float) -> Answer:
    """Send a whole request and read one whole response, leaving the connection open."""
    started = time.monotonic()
    connection.sendall(data)
    connection.settimeout(bound_s)
    received = b""
    while not _complete(received):
        chunk = connection.recv(65536)
        if not chunk:
            return _answer(received, closed=True, seconds=time.monotonic() - started)
        received += chunk
    return _answer(received, closed=False, seconds=time.monotonic() - started)


def _read_until_closed(connection: socket.socket, deadline: float) -> tuple[bytes, bool]:
    """What the server sends until it closes, or until a response that keeps the connection."""
    received = b""
    while (left := deadline - time.monotonic()) > 0 and not _kept_alive(received):
        connection.settimeout(left)
        try:
            chunk = connection.recv(65536)
        except TimeoutError:
            break
        except ConnectionResetError:
            return received, True
        if not chunk:
            return received, True
        received += chunk
    return received, False


def _kept_alive(received: bytes) -> bool:
    return (
        _complete(received)
        and _answer(received, closed=False, seconds=0).headers.get("connection") != "close"
    )


def _complete(received: bytes) -> bool:
    head, separator, body = received.partition(b"\r\n\r\n")
    if not separator:
        return False
    return len(body) >= int(_headers(head).get("content-length", "0"))


def _answer(received: bytes, *, closed: bool, seconds: float) -> Answer:
    head, separator, body = received.partition(b"\r\n\r\n")
    if not separator:
        return Answer(None, {}, b"", closed, seconds)
    status = int(head.split(b" ", 2)[1])
    return Answer(status, _headers(head), body, closed, seconds)


def _headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    pairs = (line.partition(":") for line in lines)
    return {name.strip().lower(): value.strip() for name, _, value in pairs}
