"""`dlgrade serve`: prepare the database once, then run uvicorn on create_app until stopped.

A stop (SIGTERM, Ctrl-C) is graceful: the listening socket closes, requests in flight finish
(each commits its one transaction or writes nothing), then the lifespan stops the grading
workers. Past `shutdown_timeout_s` the remaining requests are cancelled and roll back.
"""

import os
import signal
from types import FrameType

import uvicorn

from app.bootstrap import build_services
from app.config import Settings
from app.jobs.service import new_deployment
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.runner import InProcessRunner
from app.protocol import HeaderTimeoutProtocol
from app.users.bootstrap import ensure_instructor

APP_FACTORY = "app.main:create_app"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
DEPLOYMENT_VARIABLE = "DLGRADE_DEPLOYMENT_ID"


def serve(settings: Settings) -> None:
    """Serve the API on settings.host:settings.port; returns after a graceful stop."""
    for stop in STOP_SIGNALS:
        signal.signal(stop, _stopped)
    prepare(settings)
    share_deployment(settings)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.server_workers,
        http=HeaderTimeoutProtocol,
        timeout_keep_alive=settings.keep_alive_s,
        timeout_graceful_shutdown=settings.shutdown_timeout_s,
        server_header=False,
    )


def prepare(settings: Settings) -> None:
    """Migrate the database, check the problem files and create the first instructor."""
    # Done once here, before any server process starts: several processes starting at once
    # would race to create the tables and the first instructor.
    # The preparing process grades nothing, so it starts no grading workers.
    catalog = ProblemCatalog(settings.problems_dir)
    services = build_services(settings, runner=InProcessRunner(catalog), catalog=catalog)
    try:
        ensure_instructor(services)
    finally:
        services.close()


def share_deployment(settings: Settings) -> str:
    """The deployment id of the server processes about to start, put where they read their
    settings (the environment they inherit): the one set, else a new one."""
    deployment = settings.deployment_id or new_deployment()
    os.environ[DEPLOYMENT_VARIABLE] = deployment
    return deployment


def _stopped(_signal: int, _frame: FrameType | None) -> None:
    # uvicorn raises the stop signal again once it has shut down gracefully; a stop that was
    # asked for, before or after serving, is a clean exit.
    raise SystemExit(0)
