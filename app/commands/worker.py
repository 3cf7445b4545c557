"""`dlgrade worker`: a Celery worker that runs the jobs of the named queues."""

import argparse

from app.commands.errors import CliError
from app.commands.local import settings
from app.jobs.celery_app import QUEUES


def queue_names(text: str) -> list[str]:
    """The queues of a --queues value (comma-separated, each one of QUEUES)."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(names) - set(QUEUES))
    if not names or unknown:
        raise CliError(f"--queues takes some of {', '.join(QUEUES)}; not {', '.join(unknown)}")
    return names


def worker_argv(args: argparse.Namespace) -> list[str]:
    """The arguments of Celery's own worker for these options."""
    argv = [
        "worker",
        "--queues",
        ",".join(queue_names(args.queues)),
        "--pool",
        "prefork",
        "--concurrency",
        str(args.concurrency),
        "--prefetch-multiplier",
        str(args.prefetch_multiplier),
        "--loglevel",
        "INFO",
        # Task events, so `celery events` and Flower can follow the jobs.
        "--task-events",
    ]
    if args.time_limit is not None:
        argv += ["--time-limit", str(args.time_limit)]
    return argv


def run_worker(args: argparse.Namespace) -> None:
    """Run a Celery worker on DLGRADE_BROKER_URL until it is stopped."""
    argv = worker_argv(args)
    if settings(args).broker_url is None:
        raise CliError("dlgrade worker needs DLGRADE_BROKER_URL (e.g. redis://redis:6379/0)")
    # Here: the Celery application is built from the settings as it is imported.
    from app.worker import celery

    celery.worker_main(argv)
