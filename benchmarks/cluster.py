"""The real pieces of a scaled-out dlgrade for the scale-out benchmark: a database of its own
on a PostgreSQL server, a redis-server of its own, and `dlgrade worker` processes, each in
its own working and data directory."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

HOST = "127.0.0.1"
REPOSITORY = Path(__file__).resolve().parents[1]
STOP_TIMEOUT_S = 20.0
T = TypeVar("T")


@contextmanager
def own_database(server_url: str) -> Iterator[str]:
    """A fresh `dlgrade_scaleout_<random>` database on the server, dropped afterwards; its URL."""
    name = f"dlgrade_scaleout_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    """A loopback TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def own_redis(directory: Path) -> Iterator[str]:
    """A redis-server of our own on a free port, not persisting, stopped afterwards; its URL."""
    port = free_port()
    process = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--bind", HOST, "--port", str(port)]
        + ["--dir", str(directory), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: _redis_answers(port), what="redis-server to answer", timeout_s=30)
        yield f"redis://{HOST}:{port}/0"
    finally:
        process.terminate()
        process.wait(STOP_TIMEOUT_S)


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class Worker:
    """A `dlgrade worker` process group and its log."""

    process: subprocess.Popen[bytes]
    log: Path

    def ready(self) -> bool:
        """Whether Celery says the worker is ready for tasks (it exits the run when it died)."""
        if self.process.poll() is not None:
            raise SystemExit(f"a worker exited with status {self.process.returncode}: {self.log}")
        return b" ready." in self.log.read_bytes()

    def owns(self, pid: int) -> bool:
        """Whether the process is this worker or one of its pool processes."""
        try:
            return os.getpgid(pid) == self.process.pid
        except ProcessLookupError:
            return False

    def kill(self) -> None:
        """SIGKILL the worker, its pool processes and their sandboxes at once."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(STOP_TIMEOUT_S)

    def stop(self) -> None:
        """SIGTERM the process group, and SIGKILL it when it does not stop in time."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()


def start_worker(directory: Path, env: dict[str, str]) -> Worker:
    """`dlgrade worker --queues evaluations --concurrency 1` in `directory`, its data inside."""
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / "worker.log"
    worker_env = env | {"PYTHONPATH": str(REPOSITORY), "DLGRADE_DATA_DIR": str(directory / "data")}
    command = [sys.executable, "-m", "app.cli", "worker", "--queues", "evaluations"]
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*command, "--concurrency", "1"],
            cwd=directory,
            env=worker_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Worker(process, log)


@contextmanager
def workers(directory: Path, env: dict[str, str], count: int) -> Iterator[list[Worker]]:
    """`count` workers, each in a directory of its own, ready before the caller goes on."""
    started = [start_worker(directory / f"worker-{index}", env) for index in range(count)]
    try:
        for worker in started:
            wait_for(worker.ready, what="a worker to be ready")
        yield started
    finally:
        for worker in started:
            worker.stop()


def wait_for(
    condition: Callable[[], T | None], *, what: str, timeout_s: float = 180.0, every_s: float = 0.1
) -> T:
    """Poll until `condition()` is truthy; its value."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every_s)
    raise SystemExit(f"gave up waiting for {what} after {timeout_s:g} s")
