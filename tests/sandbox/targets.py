"""Functions the sandbox tests run inside workers; module-level so workers can unpickle them."""

import ctypes
import os
import resource
import signal
import sys
import time
from collections.abc import Callable

GIB = 1024**3

_warmed_up = False


def add(a: int, b: int, *, scale: int = 1) -> int:
    """A normal call."""
    return (a + b) * scale


def identity(value: object) -> object:
    """Echo, for measuring the round trip."""
    return value


def pid() -> int:
    """Which worker process answered."""
    return os.getpid()


def slow_square(value: int) -> tuple[int, int]:
    """Square after a short sleep, so concurrent callers overlap; also say which worker."""
    time.sleep(0.01)
    return value * value, os.getpid()


def limits() -> tuple[tuple[int, int], tuple[int, int]]:
    """The worker's address-space and core-file limits."""
    return resource.getrlimit(resource.RLIMIT_AS), resource.getrlimit(resource.RLIMIT_CORE)


def warm_up() -> None:
    """Initializer that leaves a trace the worker can report."""
    global _warmed_up
    _warmed_up = True


_prepared = False


def prepare_slowly(seconds: float) -> None:
    """A preparation that takes a while, then leaves a trace."""
    global _prepared
    time.sleep(seconds)
    _prepared = True


def is_prepared() -> bool:
    """Whether prepare_slowly finished in this process."""
    return _prepared


def is_warm() -> bool:
    """Whether warm_up ran in this process."""
    return _warmed_up


def broken_warm_up() -> None:
    """Initializer that fails."""
    raise RuntimeError("problem sets missing")


def raise_value_error(message: str) -> None:
    """A function that raises."""
    raise ValueError(message)


def divide_by_zero() -> float:
    """A bug in arithmetic."""
    return 1 / 0


def recurse_forever(depth: int = 0) -> int:
    """Unbounded recursion; Python's recursion limit stops it."""
    return recurse_forever(depth + 1) + 1


class _UnprintableError(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no message for you")


def raise_unprintable() -> None:
    """An exception whose message itself raises."""
    raise _UnprintableError()


def raise_huge_message() -> None:
    """An exception with a 10 MB message."""
    raise ValueError("x" * 10_000_000)


def return_unpicklable() -> Callable[[], int]:
    """A result the pipe cannot carry."""
    return lambda: 1


def spin_forever() -> None:
    """A pure-Python infinite loop."""
    while True:
        pass


def spin_after_touching(path: str) -> None:
    """Create path, so the test knows the worker is busy, then loop forever."""
    with open(path, "x"):
        pass
    spin_forever()


def sleep_forever() -> None:
    """Blocked in a system call."""
    time.sleep(3600)


def huge_power() -> int:
    """Seconds of C-level big-integer work that never releases the GIL."""
    return int(pow(3, 10**8)) % 7


def allocate_10_gib() -> int:
    """One allocation far above any test memory limit."""
    return len(bytearray(10 * GIB))


def grow_until_full() -> int:
    """Memory that grows a chunk at a time until the limit is hit."""
    chunks = []
    while True:
        chunks.append(b"x" * (64 * 1024**2))
    return len(chunks)


def exit_abruptly() -> None:
    """Process exit that skips all cleanup."""
    os._exit(3)


def segfault() -> None:
    """Read address 0."""
    ctypes.string_at(0)


def call_sys_exit() -> None:
    """SystemExit is not an Exception; it ends the worker."""
    sys.exit(2)


def kill_self() -> None:
    """SIGKILL, as the kernel's OOM killer would send."""
    os.kill(os.getpid(), signal.SIGKILL)


def exit_during_warm_up() -> None:
    """Initializer that takes the worker down with it."""
    os._exit(4)


def _explode() -> None:
    raise ValueError("cannot rebuild this result")


class _Poisoned:
    def __reduce__(self) -> tuple[Callable[[], None], tuple[()]]:
        return (_explode, ())


def return_poisoned() -> object:
    """A result that pickles in the worker but fails to unpickle in the caller."""
    return _Poisoned()
