"""The embedded backend: threads of the service process drain a queue of job ids, and each job
runs in a sandboxed worker process with memory and time limits. A heartbeat thread tells the
database that the jobs this backend runs are still running, so that another process starting
up leaves them alone."""

import logging
import queue
import threading
from collections.abc import Callable
from datetime import datetime

from app.db.models import utcnow
from app.jobs import service
from app.jobs.protocol import JobFailed, JobInterrupted, JobKind, JobKinds, Json, UnitOfWork
from app.periodic import Periodic
from app.sandbox import SandboxError, SandboxTimeout, WorkerError, WorkerPool

log = logging.getLogger(__name__)

JOIN_TIMEOUT_S = 10.0


class InProcessBackend:
    """Runs jobs in this process's threads, each through a WorkerPool; started on first use."""

    def __init__(
        self,
        units: UnitOfWork,
        kinds: JobKinds,
        *,
        workers: int = 1,
        timeout_s: float,
        memory_limit_bytes: int,
        initializer: Callable[[], None] | None = None,
        heartbeat_s: float = service.HEARTBEAT_S,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.runner = service.runner_id()
        """This start of this backend, as the jobs it claims record it."""
        self._units = units
        self._kinds = kinds
        self._workers = workers
        self._timeout_s = timeout_s
        self._memory_limit_bytes = memory_limit_bytes
        self._initializer = initializer
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._executor: SandboxExecutor | None = None
        self._heartbeat = Heartbeat(units, self.runner, interval_s=heartbeat_s, clock=clock)
        self._closed = False

    def submit(self, job_id: str) -> None:
        """Queue the job; the first call starts the threads and the worker processes."""
        with self._lock:
            if self._closed:
                # Left queued in the database: the next start resumes it.
                return
            self._start()
        self._queue.put(job_id)

    def close(self) -> None:
        """Stop the workers; a job cut off goes back to the queue in the database."""
        with self._lock:
            self._closed = True
            executor, threads = self._executor, self._threads
        for _ in threads:
            self._queue.put(None)
        if executor is not None:
            executor.close()
        for thread in threads:
            thread.join(JOIN_TIMEOUT_S)
        # Last: the jobs cut off above are still running until their threads requeue them.
        self._heartbeat.stop()

    def _start(self) -> None:
        """Start the pool and the threads once (the caller holds the lock)."""
        if self._executor is not None:
            return
        # The workers start only now, so a process that never runs a job never loads torch.
        pool = WorkerPool(
            size=self._workers,
            memory_limit_bytes=self._memory_limit_bytes,
            initializer=self._initializer,
        )
        self._executor = SandboxExecutor(pool, timeout_s=self._timeout_s)
        for number in range(self._workers):
            thread = threading.Thread(
                target=self._drain, name=f"dlgrade-jobs-{number}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        self._heartbeat.start()

    def _drain(self) -> None:
        while (job_id := self._queue.get()) is not None:
            try:
                service.process(
                    self._units,
                    self._kinds,
                    job_id,
                    self._run,
                    queue=self.submit,
                    stopping=self._stopping,
                    runner=self.runner,
                )
            except Exception:
                # The database was unreachable: the job stays pending and is resumed on start.
                log.exception("job %s could not be processed", job_id)

    def _stopping(self) -> bool:
        return self._closed

    def _run(self, kind: JobKind, spec: Json) -> Json:
        executor = self._executor
        if executor is None:
            raise JobInterrupted
        return executor(kind, spec)


class Heartbeat(Periodic):
    """A daemon thread that, every interval, marks one runner's running jobs alive."""

    def __init__(
        self,
        units: UnitOfWork,
        runner: str,
        *,
        interval_s: float,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(
            lambda: service.heartbeat(units, runner, now=clock()),
            interval_s=interval_s,
            name="dlgrade-jobs-beat",
            # The next beat tries again; only a silence past the lease gives the jobs up.
            failure=f"the heartbeat of {runner} could not be recorded",
        )


class SandboxExecutor:
    """Runs a kind's function in a WorkerPool, turning sandbox failures into job failures."""

    def __init__(self, pool: WorkerPool, *, timeout_s: float) -> None:
        self.pool = pool
        self.timeout_s = timeout_s
        self.closed = False

    def __call__(self, kind: JobKind, spec: Json) -> Json:
        """The outcome; JobFailed on a timeout, a crash or an exception, JobInterrupted on close."""
        if self.closed:
            raise JobInterrupted
        try:
            outcome: Json = self.pool.call(kind.run, spec, timeout=self.timeout_s)
        except SandboxTimeout:
            detail = f"The job took longer than {self.timeout_s:g} s and was stopped."
            raise JobFailed("JobTimeout", detail) from None
        except WorkerError as exc:
            raise JobFailed(exc.type_name, exc.message) from None
        except SandboxError as exc:
            if self.closed:
                raise JobInterrupted from None
            raise JobFailed("JobCrashed", f"The job's process stopped: {exc}.") from None
        return outcome

    def close(self) -> None:
        """Stop the workers; the calls in flight end as interrupted."""
        self.closed = True
        self.pool.close()
