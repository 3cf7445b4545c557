"""The services one Celery pool process runs jobs with: the same claim, sandbox and
heartbeat as the embedded backend, with the jobs handed to it by the broker."""

import logging
import threading
from functools import partial

from app.bootstrap import build_services, evaluation_memory_limit
from app.checkpoints.worker import prepare
from app.config import Settings
from app.db.engine import transaction
from app.jobs import service
from app.jobs.inprocess import Heartbeat, SandboxExecutor
from app.jobs.protocol import JobInterrupted, JobKind, Json
from app.sandbox import WorkerPool

log = logging.getLogger(__name__)


class WorkerRuntime:
    """One pool process's services; jobs run one at a time (Celery gives it one)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # The worker's main process migrated the database before this process started.
        self.services = build_services(settings, migrate=False)
        self.runner = service.runner_id()
        """This process, as the jobs it claims record it."""
        self._units = partial(transaction, self.services.sessions)
        self._lock = threading.Lock()
        self._executor: SandboxExecutor | None = None
        self._closed = False
        self._heartbeat = Heartbeat(self._units, self.runner, interval_s=settings.job_heartbeat_s)
        self._heartbeat.start()
        log.info("worker process %s is ready for jobs", self.runner)

    def process(self, job_id: str) -> None:
        """Claim and run the job; a job another delivery claimed or finished is left alone."""
        service.process(
            self._units,
            self.services.job_kinds,
            job_id,
            self._execute,
            queue=self.services.jobs.submit,
            stopping=self._stopping,
            runner=self.runner,
        )

    def close(self) -> None:
        """Stop the sandbox, the heartbeat and the services; a job cut off is taken back."""
        with self._lock:
            self._closed = True
            executor = self._executor
        if executor is not None:
            executor.close()
        self._heartbeat.stop()
        self.services.close()

    def _stopping(self) -> bool:
        return self._closed

    def _execute(self, kind: JobKind, spec: Json) -> Json:
        return self._sandbox()(kind, spec)

    def _sandbox(self) -> SandboxExecutor:
        """The evaluation workers, started on the first evaluation (torch loads only there)."""
        with self._lock:
            if self._closed:
                raise JobInterrupted
            if self._executor is None:
                settings = self.settings
                pool = WorkerPool(
                    size=1,
                    memory_limit_bytes=evaluation_memory_limit(settings),
                    initializer=partial(prepare, str(settings.dataset_dir.resolve())),
                )
                self._executor = SandboxExecutor(pool, timeout_s=settings.evaluation_timeout_s)
            return self._executor
