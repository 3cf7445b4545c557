"""The Celery application both sides share: the service sends `jobs.run` with a job id, a
worker (`dlgrade worker`) runs it. Redis is the broker; results live in the database."""

from typing import Any

from celery import Celery

TASK = "jobs.run"
"""The one task: run the job whose id it carries."""
QUEUES = ("evaluations", "imports", "regrades")
"""The queues of the job kinds (each declared in its domain's jobs.py)."""


def make_celery(broker_url: str, *, timeout_s: float, publisher: bool = False) -> Celery:
    """A Celery application on the broker; a `publisher` gives up on a broker that does not
    answer within `timeout_s` at once (the job waits for the sweeper) instead of retrying."""
    celery = Celery("dlgrade", broker=broker_url, set_as_current=False)
    transport: dict[str, Any] = {
        "socket_connect_timeout": timeout_s,
        "socket_timeout": timeout_s,
    }
    if publisher:
        transport["max_retries"] = 0
    celery.conf.update(
        # A job is acknowledged when it has run, so a worker that dies hands it on; what
        # makes it run once is the claim in the database, not the broker.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        broker_transport_options=transport,
        broker_connection_timeout=timeout_s,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=True,
        task_send_sent_event=False,
    )
    return celery
