"""What a running service holds: settings, database, problem sets, graders. Built once."""

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db.engine import create_db_engine, session_factory
from app.db.migrate import upgrade
from app.grading.runner import FieldRunner, SandboxRunner
from app.grading.service import SubmissionGrader
from app.problemsets.catalog import ProblemCatalog
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

    def close(self) -> None:
        """Stop the grading workers and close the database pool."""
        close = getattr(self.runner, "close", None)
        if close is not None:
            close()
        self.engine.dispose()


def build_services(settings: Settings, *, runner: FieldRunner | None = None) -> Services:
    """Migrate the database, load the problem sets and start the grading workers."""
    # First, so that a bad rate-limit setting fails before any worker starts.
    limiter = RateLimiter(settings.rate_limit, storage=settings.rate_limit_storage)
    engine = create_db_engine(settings.resolved_database_url)
    upgrade(engine)
    catalog = ProblemCatalog(settings.problems_dir)
    if runner is None:
        runner = SandboxRunner(
            catalog, workers=settings.grading_workers, timeout=settings.answer_time_limit_s
        )
    return Services(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        catalog=catalog,
        runner=runner,
        grader=SubmissionGrader(catalog, runner),
        limiter=limiter,
    )
