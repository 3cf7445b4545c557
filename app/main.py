"""create_app(): routers, exception handlers, middleware and the lifespan of the services."""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from app import __version__
from app.admission import Admission
from app.batches.endpoints import router as batches_router
from app.bootstrap import build_services
from app.checkpoints.endpoints import router as checkpoints_router
from app.config import Settings
from app.exception_handlers import add_exception_handlers
from app.gradebook.endpoints import router as gradebook_router
from app.guard import RequestGuard
from app.health.endpoints import router as health_router
from app.jobs.endpoints import router as jobs_router
from app.middleware import BodySizeLimit
from app.overrides.endpoints import router as overrides_router
from app.problemsets.endpoints import router as problem_sets_router
from app.regrade.endpoints import router as regrade_router
from app.regrade_requests.endpoints import router as regrade_requests_router
from app.reports.endpoints import router as reports_router
from app.rules.endpoints import router as rules_router
from app.services import Services
from app.stats.endpoints import router as stats_router
from app.submissions.endpoints import router as submissions_router
from app.users.bootstrap import ensure_instructor
from app.users.endpoints import router as users_router
from app.web.endpoints import mount_web

API_PREFIX = "/api/v1"
log = logging.getLogger("dlgrade")

ServicesFactory = Callable[[Settings], Services]


def create_app(
    settings: Settings | None = None, *, services_factory: ServicesFactory = build_services
) -> FastAPI:
    """The FastAPI application; its services start with it and stop with it."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = services_factory(settings)
        app.state.services = services
        _enough_threads(settings)
        ensure_instructor(services)
        services.start()
        try:
            yield
        finally:
            services.close()

    app = FastAPI(title="dlgrade", version=__version__, lifespan=lifespan)
    app.state.admission = Admission(
        slots=settings.max_concurrent_requests,
        queue=settings.max_queued_requests,
        wait_s=settings.queue_timeout_s,
    )
    add_exception_handlers(app)
    # The guard is outermost: it watches the raw channel for the client going away, and the
    # limit counts only what a route reads, against the allowance the route gave its body.
    app.add_middleware(
        BodySizeLimit, limit=settings.max_body_bytes, timeout_s=settings.body_timeout_s
    )
    app.add_middleware(RequestGuard, timeout_s=settings.request_timeout_s)
    app.include_router(health_router)
    for router in (
        problem_sets_router,
        submissions_router,
        users_router,
        checkpoints_router,
        jobs_router,
        batches_router,
        gradebook_router,
        stats_router,
        reports_router,
        regrade_router,
        overrides_router,
        rules_router,
        regrade_requests_router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    mount_web(app)
    return app


SPARE_THREADS = 8


def _enough_threads(settings: Settings) -> None:
    """More threads for sync routes than admitted requests, so that a request holding a
    database connection always gets a thread to commit and give it back."""
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = max(
        limiter.total_tokens, settings.max_concurrent_requests + SPARE_THREADS
    )
