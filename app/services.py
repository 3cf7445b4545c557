"""What a running service holds: settings, database, problem sets, graders, jobs.

Built once, by app/bootstrap.py; the domains take it as a type and never build it.
"""

from dataclasses import dataclass
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.blobs.sweep import BlobSweeper
from app.config import Settings
from app.db.engine import transaction
from app.jobs import service as jobs_service
from app.jobs.protocol import JobBackend, JobKinds
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.grader import SubmissionGrader
from app.problemsets.runner import FieldRunner
from app.ratelimit import RateLimiter


@dataclass(slots=True)
class Services:
    """The long-lived parts of the service, shared by every request."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    catalog: ProblemCatalog
    runner: FieldRunner
    grader: SubmissionGrader
    limiter: RateLimiter
    jobs: JobBackend
    job_kinds: JobKinds
    sweeper: BlobSweeper | None = None
    """Deletes expired uploads while the service runs; started by `start`."""

    def start(self) -> None:
        """Queue again the jobs a stopped service left queued or running (or fail them), and
        start the sweep of expired uploads."""
        self.sweeper = BlobSweeper(
            partial(transaction, self.sessions), retention_s=self.settings.upload_retention_s
        )
        self.sweeper.start()
        for job_id in jobs_service.resume(partial(transaction, self.sessions), self.job_kinds):
            self.jobs.submit(job_id)

    def close(self) -> None:
        """Stop the sweep, the job workers and the grading workers, and close the database
        pool."""
        if self.sweeper is not None:
            self.sweeper.stop()
        self.jobs.close()
        close = getattr(self.runner, "close", None)
        if close is not None:
            close()
        self.engine.dispose()
