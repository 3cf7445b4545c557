"""The embedded service: the settings, database and problem sets `dlgrade serve` would use,
opened for one command and closed after it."""

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from pydantic import ValidationError

from app.bootstrap import build_services
from app.commands.errors import CliError
from app.config import Settings
from app.db.engine import transaction
from app.jobs import repository as jobs
from app.jobs.protocol import UnitOfWork
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.runner import InProcessRunner
from app.services import Services


def settings(args: argparse.Namespace) -> Settings:
    """The service settings from the environment; --problems would not reach the service."""
    if args.problems is not None:
        raise CliError(f"{args.command} reads the problem directory from DLGRADE_PROBLEMS_DIR")
    try:
        return Settings()
    except ValidationError as exc:
        raise CliError(f"the DLGRADE_* settings are not valid: {exc}") from None


@contextmanager
def running(args: argparse.Namespace, *, grading: bool) -> Iterator[Services]:
    """The services, migrated and started; `grading` starts the sandboxed grading workers."""
    config = settings(args)
    # A command that grades nothing starts no worker processes (as `serve` prepares).
    catalog = ProblemCatalog(config.problems_dir)
    runner = None if grading else InProcessRunner(catalog)
    services = build_services(config, runner=runner, catalog=catalog)
    try:
        if grading:
            # Evaluations a stopped service left pending run again beside this command's.
            services.start()
        yield services
    finally:
        services.close()


def units(services: Services) -> UnitOfWork:
    """Units of work on the service's database, each one committed transaction."""
    return partial(transaction, services.sessions)


def job_status(services: Services, job_id: str) -> str:
    """Where a job stands: queued, running, done or failed."""
    with transaction(services.sessions) as session:
        job = jobs.by_id(session, job_id)
        if job is None:
            raise CliError(f"the job {job_id} is not in the database")
        return job.status
