"""Submissions per second through HTTP: a real server in its own process, concurrent clients.

Starts `dlgrade serve` on a free loopback port with a fresh data directory (SQLite, or the
database of --database-url), creates students through the API, then keeps --concurrency
requests in flight with httpx.AsyncClient, each a full dl-ex1 Q1-Q3 answer set (17 answers)
from one of the students. Prints throughput, p50/p99 latency, errors, and whether every
submission that got 201 is in the database. The server is stopped with SIGTERM at the end.

Run with `make bench-service` (python -m benchmarks.service). Figures are printed, never
asserted: the machine is shared and noisy, and the clients share its cores with the server.
"""

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select

from app.db.models import FieldGrade, Submission
from benchmarks import surge
from benchmarks.processes import descendants_cpu
from benchmarks.submissions import DL_EX1_CORRECT
from benchmarks.timing import Tally, timed_post

HOST = "127.0.0.1"
PROBLEM_SET = "dl-ex1"
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0


@dataclass
class Run(Tally):
    """What one timed phase saw, and the CPU seconds each side spent on it."""

    cpu: dict[str, float] = field(default_factory=dict)


def main() -> None:
    """Start a server, drive it, print the figures, stop it."""
    options = _options()
    with tempfile.TemporaryDirectory(prefix="dlgrade-bench-") as data_dir:
        port = _free_port()
        token = secrets.token_urlsafe(32)
        server = start_server(
            Path(data_dir),
            port,
            token,
            server_workers=options.server_workers,
            grading_workers=options.grading_workers,
            database_url=options.database_url,
        )
        url = options.database_url or f"sqlite:///{Path(data_dir) / 'dlgrade.db'}"
        base_url = f"http://{HOST}:{port}"
        try:
            wait_until_up(server, port)
            if options.surge:
                seen = asyncio.run(_drive_surge(options, base_url, token))
            else:
                warmup, run = asyncio.run(_drive(options, base_url, token, server.pid))
        finally:
            status = stop(server)
        stored, stored_fields = _count_stored(url)
    if options.surge:
        surge.report(seen, stored, options.students, options.each)
        print(f"  server exit   {status:8d}   after SIGTERM")
        return
    _print(options, run, warmup, stored, stored_fields, status)


async def _drive_surge(options: argparse.Namespace, base_url: str, token: str) -> surge.Surge:
    """Create the students, then the surge (untimed set-up first)."""
    limits = surge.client_limits(options.students)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120) as client:
        students = await create_students(client, token, options.students)
        return await surge.surge(client, students, options.each)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--submissions", type=int, default=2000, help="timed submissions")
    parser.add_argument("--warmup", type=int, default=100, help="untimed submissions first")
    parser.add_argument("--concurrency", type=int, default=8, help="requests kept in flight")
    parser.add_argument("--students", type=int, default=100, help="students submitting")
    parser.add_argument("--server-workers", type=int, default=1, help="DLGRADE_SERVER_WORKERS")
    parser.add_argument("--grading-workers", type=int, default=2, help="DLGRADE_GRADING_WORKERS")
    parser.add_argument("--database-url", help="an empty database instead of SQLite")
    parser.add_argument(
        "--surge",
        action="store_true",
        help="a deadline surge instead: --students at once (200), --each submissions each",
    )
    parser.add_argument("--each", type=int, default=3, help="submissions per student (--surge)")
    return parser.parse_args()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(
    data_dir: Path,
    port: int,
    token: str,
    *,
    server_workers: int,
    grading_workers: int,
    database_url: str | None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """`dlgrade serve` in its own process, with its log in the data directory."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DLGRADE_")}
    env |= {
        "DLGRADE_HOST": HOST,
        "DLGRADE_PORT": str(port),
        "DLGRADE_DATA_DIR": str(data_dir),
        "DLGRADE_INSTRUCTOR_TOKEN": token,
        "DLGRADE_SERVER_WORKERS": str(server_workers),
        "DLGRADE_GRADING_WORKERS": str(grading_workers),
    }
    if database_url:
        env["DLGRADE_DATABASE_URL"] = database_url
    env |= extra_env or {}
    log = (data_dir / "server.log").open("wb")
    command = [sys.executable, "-m", "app.cli", "serve"]
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_until_up(server: subprocess.Popen[bytes], port: int) -> None:
    """Poll /readyz until the server answers; exit the run when it dies or never does."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode} at start")
        try:
            if httpx.get(f"http://{HOST}:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer within {START_TIMEOUT_S:.0f} s")


async def _drive(
    options: argparse.Namespace, base_url: str, token: str, server: int
) -> tuple[Run, Run]:
    """Create the students, warm up, then the timed run."""
    limits = httpx.Limits(
        max_connections=options.concurrency, max_keepalive_connections=options.concurrency
    )
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        students = await create_students(client, token, options.students)
        warmup = await _submit_all(client, students, options.warmup, options.concurrency)
        before = _cpu_seconds(server)
        run = await _submit_all(client, students, options.submissions, options.concurrency)
        after = _cpu_seconds(server)
    run.cpu = {side: after[side] - before.get(side, 0.0) for side in after}
    return warmup, run


async def create_students(client: httpx.AsyncClient, token: str, count: int) -> list[str]:
    """Import a roster of `count` students through the API; their tokens."""
    roster = "name\n" + "".join(f"bench-student-{index:04d}\n" for index in range(count))
    response = await client.post(
        "/api/v1/students/import",
        content=roster.encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
    )
    response.raise_for_status()
    return [student["token"] for student in response.json()["students"]]


async def _submit_all(
    client: httpx.AsyncClient, students: list[str], count: int, concurrency: int
) -> Run:
    """`count` submissions, `concurrency` at a time, students taking turns."""
    body = json.dumps({"answers": DL_EX1_CORRECT}).encode()
    url = f"/api/v1/problem-sets/{PROBLEM_SET}/submissions"
    pending = iter(range(count))
    run = Run()

    async def client_loop() -> None:
        for index in pending:
            headers = {
                "Authorization": f"Bearer {students[index % len(students)]}",
                "Content-Type": "application/json",
            }
            await timed_post(client, url, body, headers, run)

    started = time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(concurrency)))
    run.elapsed = time.perf_counter() - started
    return run


def _cpu_seconds(server: int) -> dict[str, float]:
    """CPU seconds so far: this client, the server processes, and the grading workers."""
    spent = {"client": time.process_time(), "server": 0.0, "grading": 0.0}
    for pid, seconds in descendants_cpu(server).items():
        spent["grading" if pid != server and _is_grader(pid) else "server"] += seconds
    return spent


def _is_grader(pid: int) -> bool:
    """Grading workers are forked by multiprocessing's fork server and keep its command line."""
    try:
        return b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def stop(server: subprocess.Popen[bytes]) -> int:
    """SIGTERM, as an orchestrator would; the exit status."""
    server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        server.kill()
        return server.wait()


def _count_stored(url: str) -> tuple[int, int]:
    """Submissions to the benchmark's problem set, and their field grades, in the database."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            ours = select(Submission.id).where(Submission.problem_set == PROBLEM_SET)
            submissions = connection.scalar(select(func.count()).select_from(ours.subquery()))
            fields = connection.scalar(
                select(func.count())
                .select_from(FieldGrade)
                .where(FieldGrade.submission_id.in_(ours))
            )
    finally:
        engine.dispose()
    return submissions or 0, fields or 0


def _print(
    options: argparse.Namespace, run: Run, warmup: Run, stored: int, fields: int, status: int
) -> None:
    created = run.statuses[201] + warmup.statuses[201]
    errors = run.failures.total() + sum(n for code, n in run.statuses.items() if code != 201)
    print(
        f"dl-ex1 Q1-Q3 full submissions ({len(DL_EX1_CORRECT)} answers) over HTTP: "
        f"{options.server_workers} server process(es), {options.grading_workers} grading "
        f"workers each, {options.concurrency} in flight, {options.students} students"
    )
    print(f"  throughput    {len(run.latencies) / run.elapsed:8.1f} submissions/s")
    if len(run.latencies) >= 2:
        percentiles = statistics.quantiles(run.latencies, n=100)
        print(f"  latency p50   {statistics.median(run.latencies) * 1000:8.1f} ms")
        print(f"  latency p99   {percentiles[98] * 1000:8.1f} ms")
    print(f"  errors        {errors:8d}   statuses {dict(run.statuses)} {dict(run.failures)}")
    expected_fields = created * len(DL_EX1_CORRECT)
    complete = stored == created and fields == expected_fields
    print(
        f"  stored        {stored:8d}   of {created} created (with warm-up), "
        f"{fields} field grades of {expected_fields}: {'all' if complete else 'MISMATCH'}"
    )
    print(f"  server exit   {status:8d}   after SIGTERM")
    count = max(1, len(run.latencies))
    spent = ", ".join(f"{side} {seconds / count * 1000:.1f}" for side, seconds in run.cpu.items())
    print(f"  CPU ms per submission: {spent}")


if __name__ == "__main__":
    main()
