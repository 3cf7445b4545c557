"""The server's periodic sweep of blobs past their retention: once at start, then every while."""

import logging
from functools import partial

from app.blobs.service import sweep
from app.jobs.protocol import UnitOfWork
from app.periodic import Periodic

log = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 900.0


class BlobSweeper(Periodic):
    """A daemon thread that deletes expired blobs at start and every `interval_s`."""

    def __init__(
        self, units: UnitOfWork, *, retention_s: float, interval_s: float = SWEEP_INTERVAL_S
    ) -> None:
        super().__init__(
            partial(_sweep, units, retention_s),
            interval_s=interval_s,
            name="dlgrade-blob-sweep",
            # The next sweep tries again; an expired blob costs only database space.
            failure="the sweep of expired uploads failed",
            at_start=True,
        )


def _sweep(units: UnitOfWork, retention_s: float) -> None:
    deleted = sweep(units, retention_s=retention_s)
    if deleted:
        log.info("deleted %d expired uploads", deleted)
