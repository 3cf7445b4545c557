"""Database engines and sessions; SQLite gets WAL mode, PostgreSQL a pre-pinged pool."""

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.private import PRIVATE_DIR, narrow, open_private

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_S = 30
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside a database, named by the suffix added to its name."""


def create_db_engine(url: str) -> Engine:
    """An engine for the URL; an SQLite file (and its directory) is created private when
    missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    # A URI filename (?uri=true) is SQLite's to read; a file path is made private here.
    if parsed.database and parsed.database != ":memory:" and "uri" not in parsed.query:
        private_sqlite_file(Path(parsed.database))
    # One connection per process: SQLite has one writer at a time anyway, and queueing in the
    # pool wakes the next request at once, where SQLite's busy handler sleeps and retries.
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
        pool_size=1,
        max_overflow=0,
        pool_timeout=SQLITE_BUSY_TIMEOUT_S,
    )
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def private_sqlite_file(path: Path) -> None:
    """Create the database file 0600 before SQLite does (it would make it 0644), and take the
    group's and others' access away from one left readable, and from its journal files."""
    # The directory is narrowed only when created here: a URL may name a shared one.
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    os.close(open_private(path, os.O_RDONLY | os.O_CREAT))
    for suffix in SQLITE_COMPANIONS:
        narrow(path.with_name(path.name + suffix))


def _sqlite_connect(connection: Any, _record: Any) -> None:
    # WAL lets readers work while one writer commits; foreign keys are off by default.
    # The driver's own transaction handling is switched off so that SQLAlchemy's BEGIN and
    # SAVEPOINTs mean what they say (the recipe in SQLAlchemy's SQLite notes).
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock at the start, so two writers queue instead of failing
    # with "database is locked" when both try to upgrade a read lock.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to the engine; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


AFTER_COMMIT = "dlgrade.after_commit"
AFTER_ROLLBACK = "dlgrade.after_rollback"


def on_commit(session: Session, action: Callable[[], None]) -> None:
    """Run `action` once the session's unit of work commits; a rollback drops it."""
    session.info.setdefault(AFTER_COMMIT, []).append(action)


def on_rollback(session: Session, action: Callable[[], None]) -> None:
    """Run `action` if the session's unit of work rolls back (undo what is outside the
    database, such as a stored file); a commit drops it."""
    session.info.setdefault(AFTER_ROLLBACK, []).append(action)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work in a new session: committed once at the end, or rolled back."""
    with factory() as session, committed(session) as unit:
        yield unit


@contextmanager
def committed(
    session: Session, *, gate: AbstractContextManager[None] | None = None
) -> Iterator[Session]:
    """One unit of work in a given session: committed at the end, rolled back on any error;
    `gate` is entered around the commit and may refuse it (a request given up)."""
    try:
        yield session
        with gate or nullcontext():
            session.commit()
    except BaseException:
        roll_back(session)
        raise
    _run(session, AFTER_COMMIT)


def roll_back(session: Session) -> None:
    """Roll the unit of work back and undo what it did outside the database."""
    session.rollback()
    _run(session, AFTER_ROLLBACK)


def _run(session: Session, hooks: str) -> None:
    """Run and forget one kind of hook, and forget the other kind."""
    actions = session.info.pop(hooks, [])
    session.info.pop(AFTER_ROLLBACK if hooks == AFTER_COMMIT else AFTER_COMMIT, None)
    for action in actions:
        try:
            action()
        except Exception:
            # The unit of work is already decided; what follows it (queueing a job that stays
            # queued in the database, removing a file) must not turn it into an error.
            log.exception("an action after %s failed", hooks)
