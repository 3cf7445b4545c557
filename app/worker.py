"""What a Celery worker process runs (`dlgrade worker`, or `celery -A app.worker`).

The main process migrates the database once, before its pool processes start. Each pool
process builds its own services after the fork (a database pool or a thread does not survive
one): its engine, its sandboxed evaluation workers, and a heartbeat thread that marks the jobs
it runs alive. Settings come from the DLGRADE_* environment.
"""

import logging
import multiprocessing
import os
import sys
import threading
from multiprocessing.process import AuthenticationString  # type: ignore[attr-defined]
from typing import TYPE_CHECKING, Any

from celery import signals

from app.config import Settings
from app.jobs.celery_app import TASK, make_celery

if TYPE_CHECKING:
    from app.worker_runtime import WorkerRuntime

SETTINGS = Settings()
if SETTINGS.broker_url is None:
    raise SystemExit("dlgrade worker needs DLGRADE_BROKER_URL (e.g. redis://redis:6379/0)")
celery = make_celery(SETTINGS.broker_url, timeout_s=SETTINGS.broker_timeout_s)

log = logging.getLogger(__name__)

AUTHKEY_BYTES = 32
EXIT_NOT_MIGRATED = 1
_lock = threading.Lock()
_runtime: "WorkerRuntime | None" = None


def run_job(job_id: str) -> None:
    """Run one job, unless another delivery of it already ran or is running it."""
    runtime().process(job_id)


task = celery.task(name=TASK, acks_late=True, reject_on_worker_lost=True, ignore_result=True)(
    run_job
)


def runtime() -> "WorkerRuntime":
    """This process's services, built on first use."""
    global _runtime
    with _lock:
        if _runtime is None:
            # Here, not at the top: the worker's main process never loads the services.
            from app.worker_runtime import WorkerRuntime

            _runtime = WorkerRuntime(SETTINGS)
        return _runtime


def _before_pool(**_: Any) -> None:
    # Once per worker start, once logging is set up and before the pool forks: its processes
    # start together, and each running the migrations would race on a new database.
    from app.db.engine import create_db_engine
    from app.db.migrate import upgrade
    from app.private import private_dir

    # Before the database is opened: an SQLite database lives there, and it is private.
    private_dir(SETTINGS.data_dir)
    engine = create_db_engine(SETTINGS.resolved_database_url)
    try:
        upgrade(engine)
    except Exception:
        # A worker must not start on a database it could not migrate. Celery logs a signal
        # handler's exception and goes on, and `worker_main` drops the exit status of a stop,
        # so the process ends here: nothing else has started yet (no pool, no connection).
        log.critical("the database could not be migrated; the worker stops", exc_info=True)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_NOT_MIGRATED)
    finally:
        engine.dispose()


def _after_fork(**_: Any) -> None:
    # Celery marks its pool processes daemonic, and multiprocessing refuses a daemonic
    # process children; the sandbox workers started here need no such guard (each watches
    # its parent through a lifeline and ends with it), so the mark is taken off.
    # Likewise its own key type, which multiprocessing cannot hand to the fork server.
    process = multiprocessing.current_process()
    process._config.pop("daemon", None)  # type: ignore[attr-defined]
    process._config["authkey"] = AuthenticationString(os.urandom(AUTHKEY_BYTES))  # type: ignore[attr-defined]
    # The pool process starts without a job: build now, so the first job does not wait.
    runtime()


def _before_exit(**_: Any) -> None:
    global _runtime
    with _lock:
        built, _runtime = _runtime, None
    if built is not None:
        built.close()


signals.celeryd_after_setup.connect(_before_pool, weak=False)
signals.worker_process_init.connect(_after_fork, weak=False)
signals.worker_process_shutdown.connect(_before_exit, weak=False)
