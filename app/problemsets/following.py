"""Keeping every process's problem sets at the catalog version recorded in the database.

A regrade reloads the problem files in the process that serves it and records a new version;
every other server process and worker reads the version (one primary-key read) before it
grades (a request, a regrade or an import job, an evaluation's record), and reloads its own
files when the version moved on. Each process reads its own problem directory: the files must
be deployed alike everywhere, and a process whose files differ from those recorded says so in
its log.
"""

import logging
from threading import Lock

from sqlalchemy.orm import Session

from app.db.engine import on_commit
from app.problemsets import repository
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.loader import ProblemFileError

log = logging.getLogger(__name__)


class CatalogFollower:
    """The catalog version a process's problem sets are at, and the catch-up to a newer one."""

    def __init__(self, catalog: ProblemCatalog, *, version: int = 0) -> None:
        self.catalog = catalog
        self.version = version
        self._catching_up = Lock()

    def follow(self, session: Session) -> None:
        """Reload the problem files if the database records a newer catalog version."""
        row = repository.catalog_version(session)
        if row is None or row.counter == self.version:
            return
        with self._catching_up:
            # Another thread of this process may have caught up while this one waited.
            if row.counter == self.version:
                return
            self._reload(row.counter, row.fingerprint)

    def record(self, session: Session) -> None:
        """Record that this process reloaded its files: the others follow once it commits."""
        counter = repository.bump_catalog_version(session, self.catalog.fingerprint)
        # Only once committed: a rolled-back record must not hide the next version from us.
        on_commit(session, lambda: self._caught_up(counter))

    def _caught_up(self, counter: int) -> None:
        with self._catching_up:
            self.version = max(self.version, counter)

    def _reload(self, counter: int, fingerprint: str) -> None:
        try:
            self.catalog.reload()
        except ProblemFileError as exc:
            # The files held so far stay in use; the next recorded version is tried again.
            log.warning("catalog version %d: the problem files were not reloaded: %s", counter, exc)
        self.version = counter
        if self.catalog.fingerprint != fingerprint:
            log.warning(
                "catalog version %d: this process's problem files differ from those the "
                "regrade loaded; deploy the same problem files to every machine",
                counter,
            )


def current_version(session: Session) -> int:
    """The catalog version recorded now (0 before any regrade)."""
    row = repository.catalog_version(session)
    return 0 if row is None else row.counter
