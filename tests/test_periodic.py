"""The periodic daemon thread: rounds, failures logged and survived, a clean stop."""

import threading

import pytest

from app.periodic import Periodic

WAIT_S = 5.0


def test_rounds_go_on_after_a_failure_and_stop_when_told(caplog: pytest.LogCaptureFixture) -> None:
    rounds: list[int] = []
    third = threading.Event()

    def action() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("the first round fails")
        if len(rounds) == 3:
            third.set()

    periodic = Periodic(action, interval_s=0.01, name="test-periodic", failure="a round failed")
    periodic.start()
    assert third.wait(WAIT_S)
    periodic.stop()
    assert periodic.stopped
    count = len(rounds)
    threading.Event().wait(0.1)
    assert len(rounds) == count
    assert "a round failed" in caplog.text


def test_a_first_round_at_start_comes_before_the_interval() -> None:
    ran = threading.Event()
    periodic = Periodic(
        ran.set, interval_s=3600, name="test-periodic", failure="failed", at_start=True
    )
    periodic.start()
    try:
        assert ran.wait(WAIT_S)
    finally:
        periodic.stop()


def test_without_a_first_round_nothing_runs_before_the_interval() -> None:
    ran = threading.Event()
    periodic = Periodic(ran.set, interval_s=3600, name="test-periodic", failure="failed")
    periodic.start()
    assert not ran.wait(0.2)
    periodic.stop()


def test_the_thread_may_stop_itself() -> None:
    done = threading.Event()
    holder: list[Periodic] = []

    def stop_from_inside() -> None:
        holder[0].stop()
        done.set()

    periodic = Periodic(stop_from_inside, interval_s=0.01, name="test-periodic", failure="failed")
    holder.append(periodic)
    periodic.start()
    assert done.wait(WAIT_S)
    assert periodic.stopped
