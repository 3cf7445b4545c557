"""A job's page and its script's call say a queued job waits for the job queue exactly when
the API says so: jobs go to a broker and this one was not yet sent to it."""

from dataclasses import replace

import pytest
from fastapi import FastAPI

from app.jobs.memory import MemoryBackend
from app.jobs.public import WAITING_FOR_QUEUE
from app.services import Services
from tests.conftest import People
from tests.web.conftest import SignedIn
from tests.web.instructor.pages import JOB_PATH, SET, escaped


def queue_regrade(teacher: SignedIn) -> str:
    """A regrade queued from the page, held unsent; its id."""
    response = teacher.client.post(
        f"/sets/{SET}/regrade", data={"csrf": teacher.csrf}, follow_redirects=False
    )
    found = JOB_PATH.match(response.headers["location"])
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("broker", ["redis://127.0.0.1:1/0", None])
def test_a_job_not_yet_sent_to_the_queue_is_said_to_wait_as_the_api_says(
    app: FastAPI,
    teacher: SignedIn,
    backend: MemoryBackend,
    people: People,
    broker: str | None,
) -> None:
    job_id = queue_regrade(teacher)
    services: Services = app.state.services
    settings = services.settings.model_copy(update={"broker_url": broker})
    app.state.services = replace(services, settings=settings)
    api = teacher.client.get(f"/api/v1/jobs/{job_id}", headers=People.auth(people.instructor))
    expected = WAITING_FOR_QUEUE if broker else None
    assert api.json()["waiting"] == expected
    polled = teacher.client.get(f"/ui/jobs/{job_id}", headers=teacher.headers())
    assert polled.json()["waiting"] == expected
    page = teacher.client.get(f"/jobs/{job_id}").text
    assert (escaped(WAITING_FOR_QUEUE) in page) == (broker is not None)
