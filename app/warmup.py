"""Have multiprocessing's fork server import the grader, once, before it forks grading workers.

The sandboxed grading workers are forked from that server. Told to import the grader as it
starts, it does so once for every worker instead of once in each, and, started early, on the
other core while this process loads its own modules.
"""

import multiprocessing
from multiprocessing import forkserver

GRADER_MODULES = ["app.problemsets.runner", "app.problemsets.compile"]
"""What a grading worker runs on: the runner, and the compiler its catalog loads SymPy with."""


def start_grader_fork_server() -> None:
    """Start the fork server now, importing the grader; later workers fork from it."""
    multiprocessing.set_forkserver_preload(GRADER_MODULES)
    forkserver.ensure_running()
