"""The worker pool: results, errors, timeouts, crashes, memory limits, concurrency, shutdown."""

import math
import multiprocessing
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import pytest

from app.sandbox import (
    SandboxCrashed,
    SandboxError,
    SandboxTimeout,
    WorkerError,
    WorkerPool,
)
from tests.sandbox import targets

MEMORY_LIMIT = targets.GIB
TIMEOUT_S = 0.5
TIMEOUT_SLACK_S = 1.5


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    with WorkerPool(size=2, memory_limit_bytes=MEMORY_LIMIT) as shared:
        yield shared


def _single_pool(**options: object) -> WorkerPool:
    return WorkerPool(size=1, memory_limit_bytes=MEMORY_LIMIT, **options)  # type: ignore[arg-type]


def _assert_recovers(pool: WorkerPool) -> None:
    assert pool.call(targets.add, 2, 3, timeout=5) == 5


@pytest.mark.parametrize("start_method", ["forkserver", "spawn"])
def test_call_returns_the_result(start_method: str) -> None:
    with WorkerPool(start_method=start_method, memory_limit_bytes=MEMORY_LIMIT) as pool:
        assert pool.call(targets.add, 2, 3, scale=10, timeout=5) == 50
        assert pool.call(targets.pid, timeout=5) != os.getpid()


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "__import__('os')",
        "9^9^9",
        [1, [2, [3]]],
        {"a": (1.5, math.inf)},
        b"\x00" * 100_000,
    ],
)
def test_values_round_trip_unchanged(pool: WorkerPool, value: object) -> None:
    assert pool.call(targets.identity, value, timeout=5) == value


def test_worker_applies_its_resource_limits(pool: WorkerPool) -> None:
    address_space, core = pool.call(targets.limits, timeout=5)
    assert address_space == (MEMORY_LIMIT, MEMORY_LIMIT)
    assert core == (0, 0)


@pytest.mark.parametrize(
    ("fn", "args", "type_name", "message_part"),
    [
        (targets.raise_value_error, ("bad shape",), "ValueError", "bad shape"),
        (targets.divide_by_zero, (), "ZeroDivisionError", "division"),
        (targets.recurse_forever, (), "RecursionError", "recursion"),
        (targets.raise_unprintable, (), "_UnprintableError", "unprintable"),
        (targets.return_unpicklable, (), "AttributeError", "pickle"),
    ],
)
def test_exception_comes_back_as_worker_error(
    pool: WorkerPool,
    fn: Callable[..., object],
    args: tuple[object, ...],
    type_name: str,
    message_part: str,
) -> None:
    with pytest.raises(WorkerError) as caught:
        pool.call(fn, *args, timeout=5)
    assert caught.value.type_name.endswith(type_name)
    assert message_part in caught.value.message.lower()
    _assert_recovers(pool)


def test_huge_exception_message_is_truncated(pool: WorkerPool) -> None:
    with pytest.raises(WorkerError) as caught:
        pool.call(targets.raise_huge_message, timeout=5)
    assert caught.value.type_name == "ValueError"
    assert 0 < len(caught.value.message) <= 10_000


def test_unpicklable_function_raises_in_the_caller(pool: WorkerPool) -> None:
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        pool.call(lambda: 1, timeout=5)
    _assert_recovers(pool)


def test_result_failing_to_unpickle_retires_the_worker() -> None:
    with _single_pool() as pool:
        first = pool.call(targets.pid, timeout=5)
        with pytest.raises(ValueError, match="cannot rebuild"):
            pool.call(targets.return_poisoned, timeout=5)
        assert pool.call(targets.pid, timeout=5) != first


@pytest.mark.parametrize("fn", [targets.spin_forever, targets.sleep_forever, targets.huge_power])
def test_overrun_times_out_kills_the_worker_and_recovers(fn: Callable[[], object]) -> None:
    with _single_pool() as pool:
        first = pool.call(targets.pid, timeout=5)
        started = time.monotonic()
        with pytest.raises(SandboxTimeout):
            pool.call(fn, timeout=TIMEOUT_S)
        assert time.monotonic() - started < TIMEOUT_S + TIMEOUT_SLACK_S
        with pytest.raises(ProcessLookupError):
            os.kill(first, 0)
        assert pool.call(targets.pid, timeout=5) != first
        _assert_recovers(pool)


def test_preparation_runs_first_and_is_not_charged_to_the_deadline() -> None:
    with _single_pool() as pool:
        slow = partial(targets.prepare_slowly, 3 * TIMEOUT_S)
        assert pool.call(targets.is_prepared, timeout=TIMEOUT_S, prepare=slow) is True


def test_preparation_leaves_the_deadline_on_the_function() -> None:
    with _single_pool() as pool:
        with pytest.raises(SandboxTimeout):
            pool.call(targets.spin_forever, timeout=TIMEOUT_S, prepare=targets.warm_up)
        _assert_recovers(pool)


def test_failing_preparation_comes_back_and_the_function_never_runs() -> None:
    with _single_pool() as pool:
        failing = partial(targets.raise_value_error, "no such problem set")
        with pytest.raises(WorkerError, match="no such problem set"):
            pool.call(targets.prepare_slowly, 0, timeout=5, prepare=failing)
        assert pool.call(targets.is_prepared, timeout=5) is False
        _assert_recovers(pool)


@pytest.mark.parametrize("fn", [targets.allocate_10_gib, targets.grow_until_full])
def test_memory_bomb_is_contained_and_the_pool_recovers(fn: Callable[[], object]) -> None:
    with _single_pool() as pool:
        try:
            pool.call(fn, timeout=10)
        except WorkerError as error:
            assert "MemoryError" in error.type_name
        except SandboxCrashed:
            pass
        else:
            pytest.fail("a memory bomb returned a result")
        _assert_recovers(pool)


@pytest.mark.parametrize(
    ("fn", "how"),
    [
        (targets.exit_abruptly, "exited with code 3"),
        (targets.segfault, "killed by SIGSEGV"),
        (targets.call_sys_exit, "exited with code 2"),
        (targets.kill_self, "killed by SIGKILL"),
    ],
)
def test_dead_worker_raises_crashed_and_is_replaced(fn: Callable[[], object], how: str) -> None:
    with _single_pool() as pool:
        first = pool.call(targets.pid, timeout=5)
        with pytest.raises(SandboxCrashed, match=f"died: {how}"):
            pool.call(fn, timeout=5)
        assert pool.call(targets.pid, timeout=5) != first


def test_initializer_runs_in_each_worker() -> None:
    with _single_pool(initializer=targets.warm_up) as pool:
        assert pool.call(targets.is_warm, timeout=5)
        with pytest.raises(SandboxCrashed):
            pool.call(targets.kill_self, timeout=5)
        assert pool.call(targets.is_warm, timeout=5)


def test_failing_initializer_reports_its_error() -> None:
    with _single_pool(initializer=targets.broken_warm_up) as pool:
        for _ in range(2):
            with pytest.raises(SandboxCrashed, match="RuntimeError: problem sets missing"):
                pool.call(targets.add, 1, 2, timeout=5)


def test_worker_dying_during_start_up_is_reported() -> None:
    with _single_pool(initializer=targets.exit_during_warm_up) as pool:
        with pytest.raises(SandboxCrashed, match="failed to start: exited with code 4"):
            pool.call(targets.add, 1, 2, timeout=5)


def test_concurrent_callers_each_get_their_own_answer(pool: WorkerPool) -> None:
    with ThreadPoolExecutor(max_workers=8) as executor:
        results = list(
            executor.map(lambda n: pool.call(targets.slow_square, n, timeout=5), range(64))
        )
    assert [square for square, _ in results] == [n * n for n in range(64)]


def _add_or_overrun(pool: WorkerPool, n: int) -> int | None:
    if n % 8 == 0:
        with pytest.raises(SandboxTimeout):
            pool.call(targets.spin_forever, timeout=0.3)
        return None
    return pool.call(targets.add, n, n, timeout=5)


def test_concurrent_callers_survive_a_neighbour_timing_out() -> None:
    with WorkerPool(size=2, memory_limit_bytes=MEMORY_LIMIT) as two:
        with ThreadPoolExecutor(max_workers=8) as executor:
            results = list(executor.map(lambda n: _add_or_overrun(two, n), range(24)))
    assert results == [None if n % 8 == 0 else 2 * n for n in range(24)]


@pytest.mark.parametrize("timeout", [0, -1, math.nan, math.inf])
def test_bad_timeout_is_refused(pool: WorkerPool, timeout: float) -> None:
    with pytest.raises(ValueError, match="timeout"):
        pool.call(targets.add, 1, 2, timeout=timeout)


@pytest.mark.parametrize(("options"), [{"size": 0}, {"start_method": "fork"}, {"start_method": ""}])
def test_bad_pool_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        WorkerPool(**options)  # type: ignore[arg-type]


def test_unpicklable_initializer_is_refused_at_construction() -> None:
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        WorkerPool(initializer=lambda: None)


def test_close_leaves_no_child_processes() -> None:
    before = set(multiprocessing.active_children())
    pool = WorkerPool(size=2, memory_limit_bytes=MEMORY_LIMIT)
    pool.call(targets.add, 1, 2, timeout=5)
    assert len(set(multiprocessing.active_children()) - before) == 2
    pool.close()
    pool.close()
    assert set(multiprocessing.active_children()) <= before
    with pytest.raises(SandboxError, match="closed"):
        pool.call(targets.add, 1, 2, timeout=5)


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + 10
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert path.exists()


def test_close_interrupts_a_call_in_flight(tmp_path: Path) -> None:
    pool = _single_pool()
    busy = tmp_path / "busy"
    errors: list[BaseException] = []

    def stuck_caller() -> None:
        try:
            pool.call(targets.spin_after_touching, str(busy), timeout=60)
        except SandboxError as error:
            errors.append(error)

    caller = threading.Thread(target=stuck_caller)
    caller.start()
    _wait_for(busy)
    pool.close()
    caller.join(timeout=5)
    assert not caller.is_alive()
    assert [type(error) for error in errors] == [SandboxCrashed]


def test_round_trip_overhead(pool: WorkerPool, capsys: pytest.CaptureFixture[str]) -> None:
    calls = 500
    pool.call(targets.identity, 0, timeout=5)
    started = time.perf_counter()
    for n in range(calls):
        assert pool.call(targets.identity, n, timeout=5) == n
    per_call_us = (time.perf_counter() - started) / calls * 1e6
    with capsys.disabled():
        print(f"\nsandbox round trip: {per_call_us:.0f} us per call ({calls} calls)")


_ORPHANED_PARENT = """
import sys
from app.sandbox import WorkerPool
from tests.sandbox import targets
pool = WorkerPool(memory_limit_bytes=targets.GIB)
print(pool.call(targets.pid, timeout=5), flush=True)
pool.call(targets.spin_after_touching, sys.argv[1], timeout=600)
"""


def _is_running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="needs Linux /proc")
def test_busy_worker_does_not_outlive_a_killed_parent(tmp_path: Path) -> None:
    busy = tmp_path / "busy"
    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHANED_PARENT, str(busy)], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    with parent.stdout:
        worker_pid = int(parent.stdout.readline())
    _wait_for(busy)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 5
    while _is_running(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _is_running(worker_pid)
