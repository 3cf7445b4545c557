"""A daemon thread that does one thing every while until it is stopped."""

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

JOIN_TIMEOUT_S = 10.0


class Periodic:
    """Runs `action` every `interval_s` (first at once when `at_start`); a failure is logged
    with `failure` and the next round tries again."""

    def __init__(
        self,
        action: Callable[[], None],
        *,
        interval_s: float,
        name: str,
        failure: str,
        at_start: bool = False,
    ) -> None:
        self._action = action
        self._interval_s = interval_s
        self._failure = failure
        self._at_start = at_start
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    @property
    def stopped(self) -> bool:
        """Whether stop() was called."""
        return self._stopped.is_set()

    def start(self) -> None:
        """Start the rounds."""
        self._thread.start()

    def stop(self) -> None:
        """Stop; returns when the thread has ended (at once when called from the thread)."""
        self._stopped.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(JOIN_TIMEOUT_S)

    def _run(self) -> None:
        if self._at_start:
            self._round()
        while not self._stopped.wait(self._interval_s):
            self._round()

    def _round(self) -> None:
        try:
            self._action()
        except Exception:
            log.exception(self._failure)
