"""An in-memory twin of the job backends for tests: it records ids and runs them on demand,
in the calling thread and process, with the test's own unit of work."""

from app.jobs import service
from app.jobs.protocol import Execute, JobKind, JobKinds, Json, UnitOfWork


class MemoryBackend:
    """Holds submitted job ids until `run_pending()`; runs them in this thread (sandboxed only
    when given an `execute` that is)."""

    def __init__(
        self, units: UnitOfWork, kinds: JobKinds, *, execute: Execute | None = None
    ) -> None:
        self.units = units
        self.kinds = kinds
        self.execute = execute or _here
        self.submitted: list[str] = []
        self.closed = False

    def submit(self, job_id: str) -> None:
        """Record the id."""
        self.submitted.append(job_id)

    def close(self) -> None:
        """Note that the backend was closed."""
        self.closed = True

    def run_pending(self) -> list[str]:
        """Run every recorded job, oldest first, and those they queue; the ids that ran."""
        ran: list[str] = []
        while self.submitted:
            job_id = self.submitted.pop(0)
            service.process(self.units, self.kinds, job_id, self.execute, queue=self.submit)
            ran.append(job_id)
        return ran


def _here(kind: JobKind, spec: Json) -> Json:
    return kind.run(spec)
