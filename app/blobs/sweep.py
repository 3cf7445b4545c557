"""The server's periodic sweep of blobs past their retention: once at start, then every while."""

import logging
import threading

from app.blobs.service import sweep
from app.jobs.protocol import UnitOfWork

log = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 900.0
JOIN_TIMEOUT_S = 10.0


class BlobSweeper:
    """A daemon thread that deletes expired blobs at start and every `interval_s`."""

    def __init__(
        self, units: UnitOfWork, *, retention_s: float, interval_s: float = SWEEP_INTERVAL_S
    ) -> None:
        self._units = units
        self._retention_s = retention_s
        self._interval_s = interval_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dlgrade-blob-sweep", daemon=True)

    def start(self) -> None:
        """Start sweeping."""
        self._thread.start()

    def stop(self) -> None:
        """Stop sweeping; returns when the thread has ended."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(JOIN_TIMEOUT_S)

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                deleted = sweep(self._units, retention_s=self._retention_s)
            except Exception:
                # The next sweep tries again; an expired blob costs only database space.
                log.exception("the sweep of expired uploads failed")
            else:
                if deleted:
                    log.info("deleted %d expired uploads", deleted)
            self._stopped.wait(self._interval_s)
