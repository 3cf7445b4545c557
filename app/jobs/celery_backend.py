"""The scale-out backend: jobs go, by id, to Celery workers through a Redis broker.

Sending never blocks a request for long and never loses a job: a job the broker did not take
stays queued and undispatched in the database, and a sweeper thread sends it once the broker
answers. The same sweeper takes back the jobs of workers that went silent past the lease.
"""

import logging

from app.db.models import JobStatus
from app.jobs import service
from app.jobs.celery_app import TASK, make_celery
from app.jobs.protocol import DEFAULT_QUEUE, JobKinds, UnitOfWork
from app.jobs.repository import by_id
from app.periodic import Periodic

log = logging.getLogger(__name__)


class CeleryBackend:
    """Sends job ids to the queue of their kind; a sweeper thread sends what is left."""

    def __init__(
        self,
        units: UnitOfWork,
        kinds: JobKinds,
        *,
        broker_url: str,
        timeout_s: float,
        lease_s: float,
        sweep_s: float,
    ) -> None:
        self._units = units
        self._kinds = kinds
        self._celery = make_celery(broker_url, timeout_s=timeout_s, publisher=True)
        self._lease_s = lease_s
        self._sweeper = Periodic(
            self.sweep_once,
            interval_s=sweep_s,
            name="dlgrade-jobs-sweep",
            # The database was unreachable: the next sweep tries again.
            failure="the job sweep failed",
        )
        self._sweeper.start()

    def submit(self, job_id: str) -> None:
        """Send the job to its kind's queue; a broker that does not answer leaves it queued."""
        if not self._sweeper.stopped:
            self._send(job_id)

    def close(self) -> None:
        """Stop the sweeper; what is queued stays in the database and in the broker."""
        self._sweeper.stop()
        self._celery.close()

    def sweep_once(self) -> None:
        """Take back silent workers' jobs and send every queued job not yet sent."""
        for job_id in service.sweep(self._units, self._kinds, lease_s=self._lease_s):
            # The first job the broker refuses ends the sweep: the rest would wait as long.
            if self._sweeper.stopped or not self._send(job_id):
                return

    def _send(self, job_id: str) -> bool:
        """Send one queued job and record it sent; False if the broker did not take it."""
        queue = self._queue_of(job_id)
        if queue is None:
            return True
        try:
            self._celery.send_task(TASK, args=[job_id], queue=queue, retry=False)
        except Exception as exc:
            # Left undispatched in the database: the sweeper sends it when the broker is back.
            log.warning("job %s waits for the job queue: %s", job_id, exc)
            return False
        service.dispatched(self._units, job_id)
        return True

    def _queue_of(self, job_id: str) -> str | None:
        """The queue of a job's kind; None for a job no longer queued."""
        with self._units() as session:
            job = by_id(session, job_id)
            if job is None or job.status != JobStatus.QUEUED.value:
                return None
            kind = self._kinds.get(job.kind)
        return DEFAULT_QUEUE if kind is None else kind.queue
