"""How long the commands take to start: a cold process (no cache) and a warm one (cache present).

Times, as fresh processes of this checkout's interpreter, `dlgrade problems`, `dlgrade grade`
of examples/eecs182-hw5.json (sandboxed, as by default), and `dlgrade serve` on a free loopback
port with a fresh SQLite database until GET /readyz answers 200 (then stopped with SIGTERM).
A cold run gets an empty cache directory of its own; a warm run reuses the directory a cold
run filled. Each figure is the median of --repeat runs, with the fastest and slowest.

Run with `python -m benchmarks.startup`. Figures are printed, never asserted: the machine is
shared and noisy.
"""

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "eecs182-hw5.json"
CLI = [sys.executable, "-m", "app.cli"]
HOST = "127.0.0.1"
START_TIMEOUT_S = 120.0
POLL_S = 0.02

Timed = Callable[[dict[str, str], Path], float]


def main() -> None:
    """Time every command cold and warm; print one line each."""
    options = _options()
    commands: dict[str, Timed] = {
        "dlgrade problems": _command(["problems"]),
        "dlgrade grade eecs182-hw5": _command(
            ["grade", "--problem-set", "eecs182-hw5", str(EXAMPLE)]
        ),
        "dlgrade serve until /readyz": _serve,
    }
    print(f"start-up, median of {options.repeat} (fastest-slowest), seconds")
    print(f"  {'command':<30} {'cold (no cache)':>22} {'warm (cache)':>22}")
    for name, timed in commands.items():
        cold, warm = _measure(timed, options.repeat)
        print(f"  {name:<30} {_figure(cold):>22} {_figure(warm):>22}")


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each figure")
    return parser.parse_args()


def _measure(timed: Timed, repeat: int) -> tuple[list[float], list[float]]:
    """`repeat` cold runs, each on an empty cache, and `repeat` warm runs on a filled one."""
    cold: list[float] = []
    warm: list[float] = []
    with tempfile.TemporaryDirectory(prefix="dlgrade-startup-") as scratch:
        for run in range(repeat):
            cache = Path(scratch) / f"cache-{run}"
            cold.append(timed(_environment(cache), Path(scratch) / f"cold-{run}"))
        filled = Path(scratch) / "cache-0"
        for run in range(repeat):
            warm.append(timed(_environment(filled), Path(scratch) / f"warm-{run}"))
    return cold, warm


def _environment(cache: Path) -> dict[str, str]:
    """This environment without DLGRADE_* settings, but for the cache directory."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DLGRADE_")}
    return env | {"DLGRADE_CACHE_DIR": str(cache)}


def _command(arguments: list[str]) -> Timed:
    def timed(env: dict[str, str], _scratch: Path) -> float:
        started = time.perf_counter()
        subprocess.run([*CLI, *arguments], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - started

    return timed


def _serve(env: dict[str, str], scratch: Path) -> float:
    """Seconds from starting `dlgrade serve` to the first 200 from /readyz."""
    port = _free_port()
    scratch.mkdir()
    env = env | {"DLGRADE_HOST": HOST, "DLGRADE_PORT": str(port), "DLGRADE_DATA_DIR": str(scratch)}
    with (scratch / "server.log").open("wb") as log:
        started = time.perf_counter()
        server = subprocess.Popen(
            [*CLI, "serve"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_ready(server, port)
            return time.perf_counter() - started
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)


def _wait_until_ready(server: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode} at start")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(POLL_S)
    raise SystemExit(f"the server did not answer within {START_TIMEOUT_S:.0f} s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _figure(seconds: list[float]) -> str:
    return f"{statistics.median(seconds):.2f} ({min(seconds):.2f}-{max(seconds):.2f})"


if __name__ == "__main__":
    main()
