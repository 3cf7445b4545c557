"""A whole class graded from the command line: `dlgrade batch`, end to end, as a subprocess.

Generates a class of dl-ex1 Q1-Q3 answers on the published numbers (1,000 students by
default, with the bad rows the generator mixes in), then runs `dlgrade batch ...
--create-students --published-numbers` on a fresh data directory (SQLite, DLGRADE_DATA_DIR)
and times it from start to exit: process start, migrations, grading workers, grading, storing
and the grade book. Then the same file again, where every row is unchanged.

Prints the wall time, rows per second, the CPU time of the command and its children over the
wall time (above 1 means more than one core was busy), and whether the 60 s goal was met. The
CPU time is counted twice: by `getrusage(RUSAGE_CHILDREN)`, which sees only the processes that
were waited for (the grading workers are children of multiprocessing's fork server, which
nobody waits for, so their time is missing there), and by reading /proc for every process
descended from the command while it runs (every 250 ms; the last moments of each are missed).
Run with `make bench-batch` (python -m benchmarks.batch). Figures are printed, never asserted.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.processes import descendants_cpu
from tests.batches.classgen import generate

GOAL_S = 60.0
SAMPLE_S = 0.25
SUMMARY_LINES = 8
DLGRADE = Path(sys.executable).with_name("dlgrade")


@dataclass(frozen=True)
class Timed:
    """One run of the command."""

    status: int
    wall_s: float
    cpu_s: float
    """CPU seconds of the command and its children, by getrusage(RUSAGE_CHILDREN)."""
    sampled_cpu_s: float
    """CPU seconds of the command and every process descended from it, read from /proc."""
    summary: list[str]


def main() -> None:
    """Generate the class, run the command twice on a fresh database, print the figures."""
    options = _options()
    generated = generate(options.students, format="jsonl")
    rows = len(generated.rows)
    print(f"class: {options.students} students, {rows} rows ({len(generated.bad)} bad)")
    print(f"machine: {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="dlgrade-bench-batch-") as directory:
        class_file = Path(directory) / generated.filename
        class_file.write_bytes(generated.content)
        for label in ("first run (all rows new)", "second run (all rows unchanged)"):
            _print(label, _run(options, Path(directory), class_file), rows)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=1000, help="students in the class")
    parser.add_argument("--grading-workers", type=int, default=2, help="DLGRADE_GRADING_WORKERS")
    return parser.parse_args()


def _run(options: argparse.Namespace, directory: Path, class_file: Path) -> Timed:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("DLGRADE_")
    }
    environment["DLGRADE_DATA_DIR"] = str(directory / "data")
    environment["DLGRADE_GRADING_WORKERS"] = str(options.grading_workers)
    command = [
        str(DLGRADE),
        "batch",
        str(class_file),
        "--problem-set",
        "dl-ex1",
        "--out",
        str(directory / "grades.csv"),
        "--create-students",
        "--published-numbers",
    ]
    before = _children_cpu()
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, env=environment, stdout=out, stderr=err, text=True)
        sampled: dict[int, float] = {}
        while process.poll() is None:
            sampled.update(descendants_cpu(process.pid))
            time.sleep(SAMPLE_S)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        shown = out if process.returncode == 0 else err
        summary = shown.read().splitlines()[:SUMMARY_LINES]
    cpu = _children_cpu() - before
    return Timed(process.returncode, wall, cpu, sum(sampled.values()), summary)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _print(label: str, timed: Timed, rows: int) -> None:
    print(f"\n{label}: exit status {timed.status}")
    for line in timed.summary:
        print(f"  | {line}")
    print(f"  wall time       {timed.wall_s:.1f} s")
    print(f"  rows/s          {rows / timed.wall_s:.0f}")
    print(
        f"  CPU / wall      {timed.cpu_s / timed.wall_s:.2f} by getrusage(RUSAGE_CHILDREN) "
        f"({timed.cpu_s:.1f} s of CPU)"
    )
    print(
        f"  CPU / wall      {timed.sampled_cpu_s / timed.wall_s:.2f} with the grading workers, "
        f"from /proc ({timed.sampled_cpu_s:.1f} s of CPU)"
    )
    met = "met" if timed.wall_s <= GOAL_S else "not met"
    print(f"  {GOAL_S:.0f} s goal      {met}")


if __name__ == "__main__":
    main()
