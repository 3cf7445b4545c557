"""CPU time of a process and of every process descended from it, read from /proc: the grading
workers are forked by multiprocessing's fork server, which nobody waits for, so getrusage's
RUSAGE_CHILDREN never counts them."""

import os
from pathlib import Path


def descendants_cpu(root: int) -> dict[int, float]:
    """CPU seconds so far of the root process and of every process descended from it."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The fields after the command name, which may itself hold spaces and parentheses.
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    return {
        pid: seconds
        for pid, seconds in used.items()
        if pid == root or _descends(pid, root, parents)
    }


def _descends(pid: int, ancestor: int, parents: dict[int, int]) -> bool:
    while pid > 1:
        pid = parents.get(pid, 0)
        if pid == ancestor:
            return True
    return False
