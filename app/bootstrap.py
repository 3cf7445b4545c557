"""The composition root: builds the running service, with every domain's job kinds.

The only module that knows every kind of job. A new kind is declared in its domain's
`jobs.py` and listed here; nothing else changes.
"""

from functools import partial
from pathlib import Path

from app.batches.jobs import batch_kind
from app.blobs.service import forget_disk_uploads
from app.blobs.sweep import BlobSweeper
from app.checkpoints.jobs import checkpoint_kind
from app.checkpoints.worker import prepare
from app.config import Settings
from app.db.engine import create_db_engine, session_factory, transaction
from app.db.migrate import upgrade
from app.jobs.celery_backend import CeleryBackend
from app.jobs.inprocess import InProcessBackend
from app.jobs.protocol import (
    AnyJobKind,
    JobBackend,
    JobKind,
    JobKinds,
    ServiceJobKind,
    UnitOfWork,
)
from app.private import private_dir
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.following import CatalogFollower, current_version
from app.problemsets.grader import SubmissionGrader
from app.problemsets.memo import GradeMemo
from app.problemsets.runner import FieldRunner, SandboxRunner
from app.ratelimit import RateLimiter
from app.regrade.jobs import regrade_kind
from app.regrade_requests.service import RATE_SCOPE as REQUESTS_RATE_SCOPE
from app.services import Services


def build_services(
    settings: Settings,
    *,
    runner: FieldRunner | None = None,
    jobs: JobBackend | None = None,
    catalog: ProblemCatalog | None = None,
    migrate: bool = True,
) -> Services:
    """Migrate the database (unless the caller did), load the problem sets (unless given) and
    start the grading workers."""
    # First, so that a bad rate-limit setting fails before any worker starts.
    limiter = RateLimiter(
        settings.rate_limit,
        storage=settings.resolved_rate_limit_storage,
        scopes={REQUESTS_RATE_SCOPE: settings.regrade_request_rate_limit},
    )
    # Before anything is written there: the database, keys and tokens are private.
    private_dir(settings.data_dir)
    forget_disk_uploads(settings.data_dir)
    engine = create_db_engine(settings.resolved_database_url)
    if migrate:
        upgrade(engine)
    if catalog is None:
        catalog = ProblemCatalog(settings.problems_dir)
    if runner is None:
        runner = SandboxRunner(
            catalog,
            workers=settings.grading_workers,
            timeout=settings.answer_time_limit_s,
            memo=GradeMemo(),
        )
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        follower = CatalogFollower(catalog, version=current_version(session))
    kinds: dict[str, AnyJobKind] = {
        kind.name: kind for kind in sandboxed_job_kinds(follower, settings)
    }
    if jobs is None:
        jobs = job_backend(settings, partial(transaction, sessions), kinds)
    built = Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        catalog=catalog,
        catalog_follower=follower,
        runner=runner,
        grader=SubmissionGrader(catalog, runner),
        limiter=limiter,
        jobs=jobs,
        job_kinds=kinds,
        background=(
            BlobSweeper(partial(transaction, sessions), retention_s=settings.upload_retention_s),
        ),
    )
    # These kinds grade through the built services, so they join the mapping last.
    kinds.update({kind.name: kind for kind in service_job_kinds(built)})
    return built


def job_backend(settings: Settings, units: UnitOfWork, kinds: JobKinds) -> JobBackend:
    """Celery workers when a broker is set; otherwise the embedded backend."""
    if settings.broker_url is not None:
        return CeleryBackend(
            units,
            kinds,
            broker_url=settings.broker_url,
            timeout_s=settings.broker_timeout_s,
            lease_s=settings.job_lease_s,
            sweep_s=settings.job_sweep_s,
        )
    return InProcessBackend(
        units,
        kinds,
        workers=settings.evaluation_workers,
        timeout_s=settings.evaluation_timeout_s,
        memory_limit_bytes=evaluation_memory_limit(settings),
        initializer=partial(prepare, str(settings.dataset_dir.resolve())),
    )


def sandboxed_job_kinds(follower: CatalogFollower, settings: Settings) -> list[JobKind]:
    """The kinds whose work runs in a sandboxed worker process."""
    return [checkpoint_kind(follower, retention_s=settings.upload_retention_s)]


def service_job_kinds(services: Services) -> list[ServiceJobKind]:
    """The kinds that run in the job backend's own thread, with the services at hand."""
    return [batch_kind(services), regrade_kind(services)]


NO_LIMIT_BYTES = 1 << 62


def evaluation_memory_limit(settings: Settings) -> int:
    """The evaluation workers' address-space limit; none where CUDA may be used."""
    # The CUDA driver reserves tens of GB of virtual address space when it starts, so an
    # address-space limit would stop every GPU evaluation; there the time limit still holds.
    # Whether CUDA is there is told by its device node: this process never imports torch.
    may_use_cuda = settings.device == "cuda" or (
        settings.device == "auto" and Path("/dev/nvidiactl").exists()
    )
    return NO_LIMIT_BYTES if may_use_cuda else settings.evaluation_memory_bytes
