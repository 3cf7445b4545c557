"""A Redis server of a test's own, on a free loopback port, that the test may stop and start
again (the shared test server is never stopped)."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

HOST = "127.0.0.1"
START_TIMEOUT_S = 10.0


def redis_server_binary() -> str:
    """Debian's redis-server; CI must have it, elsewhere its absence skips the test."""
    found = shutil.which("redis-server")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must provide redis-server")
        pytest.skip("redis-server is not installed")
    return found


class OwnRedis:
    """A redis-server process with no persistence, in a directory of its own."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = _free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        """Start the server and wait until it answers."""
        command = [redis_server_binary(), "--bind", HOST, "--port", str(self.port)]
        command += ["--dir", str(self.directory), "--save", "", "--appendonly", "no"]
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _answers(self.port):
            assert self._process.poll() is None, "redis-server exited at start"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server (this test's own process) and wait until it is gone."""
        if self._process is None:
            return
        self._process.terminate()
        self._process.wait(timeout=START_TIMEOUT_S)
        self._process = None


def _answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port
