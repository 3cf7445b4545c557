"""`dlgrade serve`: the README's run command on a loopback port, the README's curl example
against it, and a graceful stop (SIGTERM) with a submission in flight."""

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from app.config import Settings
from app.protocol import HeaderTimeoutProtocol
from app.server import APP_FACTORY, DEPLOYMENT_VARIABLE, prepare, serve

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0
EXAMPLE = ROOT / "examples" / "eecs182-hw5.json"


def curl() -> str:
    """The curl the README example runs; CI must have it, elsewhere its absence skips."""
    found = shutil.which("curl")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must provide curl for the README's example")
        pytest.skip("curl is not installed")
    return found


@dataclass
class Server:
    """`make run` in a subprocess, serving on a free loopback port from a temp data dir."""

    make: "subprocess.Popen[bytes]"
    port: int
    data_dir: Path
    log: Path
    database_url: str | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def instructor(self) -> dict[str, str]:
        token = (self.data_dir / "instructor-token").read_text().strip()
        return {"Authorization": f"Bearer {token}"}

    def enrol(self, count: int, prefix: str) -> list[str]:
        """Tokens of `count` new students, imported as one roster."""
        roster = "name\n" + "".join(f"{prefix}-{index:04d}\n" for index in range(count))
        headers = {**self.instructor(), "Content-Type": "text/csv"}
        response = httpx.post(
            f"{self.url}/api/v1/students/import", content=roster, headers=headers, timeout=60
        )
        response.raise_for_status()
        return [student["token"] for student in response.json()["students"]]

    def serve_pid(self) -> int:
        """The `dlgrade serve` process that make started."""
        children = [pid for pid, parent in _parents().items() if parent == self.make.pid]
        assert len(children) == 1, f"make has children {children}"
        return children[0]

    def stored(self, submission_id: str) -> tuple[int, int]:
        """Rows of this submission, and of its field grades, in the server's database."""
        with sqlite3.connect(self.data_dir / "dlgrade.db") as db:
            query = "SELECT count(*) FROM submissions WHERE id = ?"
            submissions = db.execute(query, (submission_id,)).fetchone()[0]
            query = "SELECT count(*) FROM field_grades WHERE submission_id = ?"
            fields = db.execute(query, (submission_id,)).fetchone()[0]
        return submissions, fields

    def submission_ids(self, problem_set: str) -> list[str]:
        """Ids of the problem set's stored submissions, read from the server's database."""
        url = self.database_url or f"sqlite:///{self.data_dir / 'dlgrade.db'}"
        engine = create_engine(url)
        query = text("SELECT id FROM submissions WHERE problem_set = :problem_set")
        try:
            with engine.connect() as db:
                return list(db.scalars(query, {"problem_set": problem_set}))
        finally:
            engine.dispose()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """The README's `make run`, with its port and data directory moved out of the way."""
    with running(tmp_path) as started:
        yield started


@contextmanager
def running(directory: Path, settings: Mapping[str, str] | None = None) -> Iterator[Server]:
    """`make run` on a free port, data and log in `directory`, DLGRADE_* from `settings`."""
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DLGRADE_", "MAKE")) and key != "MFLAGS"
    }
    env |= {"DLGRADE_PORT": str(port), "DLGRADE_DATA_DIR": str(directory / "data")}
    env |= {f"DLGRADE_{name.upper()}": value for name, value in (settings or {}).items()}
    log = directory / "server.log"
    with log.open("wb") as output:
        # --assume-old: the environment is already installed; a test must never reinstall it.
        make = subprocess.Popen(
            ["make", "--no-print-directory", "--assume-old=.venv/.installed", "run"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = (settings or {}).get("database_url")
    started = Server(make, port, directory / "data", log, url)
    try:
        _wait_until_up(started)
        yield started
    finally:
        if make.poll() is None:
            os.kill(started.serve_pid(), signal.SIGTERM)
            try:
                make.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                make.kill()
                make.wait()


def curl_blocks() -> list[str]:
    """The README's shell blocks that call the running service, in order."""
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", readme, flags=re.DOTALL)
    return [block for block in blocks if "curl" in block and "127.0.0.1:8000" in block]


def run_blocks(server: Server, *blocks: str) -> str:
    """Run README blocks one after another in one shell against the server; their stdout."""
    script = "\n".join(blocks).replace("127.0.0.1:8000", f"{HOST}:{server.port}")
    script = script.replace("data/instructor-token", str(server.data_dir / "instructor-token"))
    environment = {**os.environ, "PATH": f"{Path(curl()).parent}:{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_readme_curl_example_works_as_pasted(server: Server) -> None:
    block = curl_blocks()[0]
    assert "http://127.0.0.1:8000/" in block and "data/instructor-token" in block
    result = json.loads(run_blocks(server, block))
    verdicts = {field["field"]: field["verdict"] for field in result["fields"]}
    assert list(verdicts) == list(json.loads(EXAMPLE.read_text())["answers"])
    assert verdicts["q1.b"] == "correct"
    assert verdicts["q2.a.layernorm"] == "incorrect"
    assert 0 < result["total"] < result["max_total"] == 100
    stored = httpx.get(
        f"{server.url}/api/v1/submissions/{result['submission_id']}",
        headers=server.instructor(),
    )
    assert stored.status_code == 200
    assert stored.json()["total"] == result["total"]
    assert server.stored(result["submission_id"]) == (1, len(verdicts))


def test_sigterm_lets_a_submission_in_flight_finish(server: Server) -> None:
    student = _create_student(server)
    body = EXAMPLE.read_bytes()
    with socket.create_connection((HOST, server.port), timeout=30) as connection:
        # The body is held back: the request is in the app when the stop comes, and its
        # grading runs while the server is already shutting down.
        connection.sendall(_request_head(server, student, len(body)))
        assert connection.recv(1024).startswith(b"HTTP/1.1 100 Continue")
        os.kill(server.serve_pid(), signal.SIGTERM)
        _wait_until_refused(server.port)
        connection.sendall(body)
        status, response = _read_response(connection)
    assert status == 201, response
    assert server.make.wait(timeout=STOP_TIMEOUT_S) == 0, server.log.read_text()
    assert server.stored(response["submission_id"]) == (1, len(response["fields"]))
    log = server.log.read_text()
    assert "Application shutdown complete" in log and "Traceback" not in log


def test_prepare_creates_the_first_instructor_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path)
    prepare(settings)
    token = (tmp_path / "instructor-token").read_text().strip()
    assert token in capsys.readouterr().out
    prepare(settings)
    assert capsys.readouterr().out == ""
    assert (tmp_path / "instructor-token").read_text().strip() == token


def test_serve_runs_uvicorn_with_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}
    # Restored after the test: serve hands its processes their deployment id there.
    monkeypatch.setenv(DEPLOYMENT_VARIABLE, "")
    monkeypatch.delenv(DEPLOYMENT_VARIABLE)
    monkeypatch.setattr("app.server.uvicorn.run", lambda app, **options: seen.update(options))
    monkeypatch.setattr("app.server.signal.signal", lambda *_: None)
    settings = Settings(
        data_dir=tmp_path, host="0.0.0.0", port=8123, server_workers=3, shutdown_timeout_s=7
    )
    serve(settings)
    assert APP_FACTORY == "app.main:create_app"
    assert seen["factory"] is True
    assert (seen["host"], seen["port"], seen["workers"]) == ("0.0.0.0", 8123, 3)
    assert seen["timeout_graceful_shutdown"] == 7
    assert seen["timeout_keep_alive"] == settings.keep_alive_s
    assert seen["http"] is HeaderTimeoutProtocol
    # The processes it starts read one new deployment id; one set is kept.
    deployment = os.environ[DEPLOYMENT_VARIABLE]
    assert Settings().deployment_id == deployment and len(deployment) == 32
    serve(Settings(data_dir=tmp_path, deployment_id="release-42"))
    assert os.environ[DEPLOYMENT_VARIABLE] == "release-42"


def _create_student(server: Server) -> str:
    response = httpx.post(
        f"{server.url}/api/v1/students", json={"name": "grace"}, headers=server.instructor()
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def _request_head(server: Server, token: str, length: int) -> bytes:
    lines = [
        "POST /api/v1/problem-sets/eecs182-hw5/submissions HTTP/1.1",
        f"Host: {HOST}:{server.port}",
        f"Authorization: Bearer {token}",
        "Content-Type: application/json",
        f"Content-Length: {length}",
        "Expect: 100-continue",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _read_response(connection: socket.socket) -> tuple[int, dict[str, Any]]:
    """Status and JSON body of the next response (the server closes: it is stopping)."""
    data = b""
    while chunk := connection.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.make.poll() is not None:
            pytest.fail(f"the server exited at start:\n{server.log.read_text()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer /healthz:\n{server.log.read_text()}")


def _wait_until_refused(port: int) -> None:
    """Until the listening socket is closed: the server has begun to shut down."""
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
        except ConnectionRefusedError:
            return
        time.sleep(0.05)
    pytest.fail("the server kept accepting connections after SIGTERM")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _parents() -> dict[int, int]:
    """Every process id and its parent's, from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The fields after the command name, which may hold spaces and parentheses.
            parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    return parents


def json_documents(printed: str) -> list[Any]:
    """The JSON documents a shell printed one after another, with or without newlines."""
    decoder, documents, position = json.JSONDecoder(), [], 0
    while printed[position:].strip():
        position += len(printed[position:]) - len(printed[position:].lstrip())
        document, position = decoder.raw_decode(printed, position)
        documents.append(document)
    return documents


def test_the_readme_override_and_rule_examples_work_as_pasted(server: Server) -> None:
    first, *rest = curl_blocks()
    override = next(block for block in rest if "/overrides/" in block)
    rule = next(block for block in rest if "/rules" in block)
    submitted, overridden, ruled = json_documents(run_blocks(server, first, override, rule))
    assert overridden["submission_id"] == submitted["submission_id"]
    assert overridden["field"] == "q2.a.layernorm" and overridden["score"] == 0
    history = httpx.get(
        f"{server.url}/api/v1/submissions/{submitted['submission_id']}/overrides",
        headers=server.instructor(),
    )
    assert history.status_code == 200
    assert [item["comment"] for item in history.json()["overrides"]] == [overridden["comment"]]
    rules = httpx.get(f"{server.url}/api/v1/problem-sets/dl-ex1/rules", headers=server.instructor())
    assert [stored["id"] for stored in rules.json()] == [ruled["id"]]
    assert ruled["parsed"] == r"3 \times 3"


def test_the_readme_regrade_request_example_works_as_pasted(server: Server) -> None:
    first, *rest = curl_blocks()
    override = next(block for block in rest if "/overrides/" in block)
    request = next(block for block in rest if "/regrade-requests" in block)
    submitted, _, answered = json_documents(run_blocks(server, first, override, request))
    assert answered["submission_id"] == submitted["submission_id"]
    assert (answered["status"], answered["outcome"]) == ("closed", "no_change")
    listed = httpx.get(
        f"{server.url}/api/v1/regrade-requests?status=closed", headers=server.instructor()
    )
    assert [item["reply"] for item in listed.json()["items"]] == [answered["reply"]]


GRADING_ONLY_MODULES = ("sympy", "matplotlib")
"""What the server process leaves to its grading workers and to the pages that draw charts."""


def test_the_server_process_loads_no_grading_engine_or_plotting_library() -> None:
    # A fresh interpreter: this one has imported everything the other tests needed.
    check = (
        "import sys, app.server, app.main; "
        f"print(' '.join(name for name in {GRADING_ONLY_MODULES!r} if name in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", check],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.stdout.split() == []
