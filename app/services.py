"""What a running service holds: settings, database, problem sets, graders, jobs.

Built once, by app/bootstrap.py; the domains take it as a type and never build it.
"""

from dataclasses import dataclass
from functools import partial
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db.engine import transaction
from app.jobs import service as jobs_service
from app.jobs.protocol import JobBackend, JobKinds
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.following import CatalogFollower
from app.problemsets.grader import SubmissionGrader
from app.problemsets.runner import FieldRunner
from app.ratelimit import RateLimiter


class Background(Protocol):
    """A task that runs beside the service while it runs (the sweep of expired uploads)."""

    def start(self) -> None:
        """Start it."""
        ...

    def stop(self) -> None:
        """Stop it; returns when it has stopped."""
        ...


@dataclass(slots=True)
class Services:
    """The long-lived parts of the service, shared by every request."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    catalog: ProblemCatalog
    catalog_follower: CatalogFollower
    runner: FieldRunner
    grader: SubmissionGrader
    limiter: RateLimiter
    jobs: JobBackend
    job_kinds: JobKinds
    background: tuple[Background, ...] = ()
    """Started by `start`, stopped by `close`."""

    def start(self) -> None:
        """Queue again the jobs a stopped service left queued or running (or fail them), once
        per deployment, and start the background tasks."""
        for task in self.background:
            task.start()
        units = partial(transaction, self.sessions)
        deployment = self.settings.deployment_id
        for job_id in jobs_service.resume(units, self.job_kinds, deployment=deployment):
            self.jobs.submit(job_id)

    def close(self) -> None:
        """Stop the background tasks, the job workers and the grading workers, and close the
        database pool."""
        for task in self.background:
            task.stop()
        self.jobs.close()
        close = getattr(self.runner, "close", None)
        if close is not None:
            close()
        self.engine.dispose()
