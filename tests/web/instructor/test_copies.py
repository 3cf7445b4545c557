"""Copied models on the instructor's pages: the statistics page and the job page of either
upload name both students (escaped) and link their jobs; a page with no copy has no table."""

import torch
from sqlalchemy.orm import Session

from app.checkpoints import copies
from app.checkpoints.architecture import LeNetOptions, Preprocessing, build
from app.checkpoints.fingerprint import fingerprint
from app.checkpoints.schemas import CHECKPOINT_JOB
from app.db.models import Job, JobStatus, Role, utcnow
from app.users.service import issue
from tests.conftest import People
from tests.web.conftest import SignedIn
from tests.web.instructor.pages import SCRIPT, SET, escaped

FIELD = "q4.baseline"


def _outcome(state: dict[str, torch.Tensor]) -> dict[str, object]:
    """A full evaluation outcome, as the worker returns it, with the model's fingerprint."""
    split = {"accuracy": 0.9, "ci_low": 0.89, "ci_high": 0.91, "per_class": [], "count": 1}
    grade = {"verdict": "correct", "score": 12.5, "max_score": 12.5, "summary": "fine"}
    return {
        "options": LeNetOptions().to_json(),
        "preprocessing": Preprocessing().to_json(),
        "notes": [],
        "device": "cpu",
        "test": {**split, "confusion": []},
        "grade": {**grade, "flagged": False, "findings": [], "feedback": "fine"},
        "fingerprint": fingerprint(state, Preprocessing()),
    }


def _uploaded(session: Session, user_id: str, state: dict[str, torch.Tensor]) -> Job:
    upload = {"filename": "model.safetensors", "bytes": 1, "sha256": "d" * 64}
    job = Job(
        kind=CHECKPOINT_JOB,
        user_id=user_id,
        problem_set=SET,
        field=FIELD,
        status=JobStatus.DONE.value,
        finished_at=utcnow(),
        spec={"upload": upload, "declared": {}, "preprocessing": {}, "claims": {}},
    )
    session.add(job)
    session.flush()
    copies.record(session, job, _outcome(state))
    session.commit()
    return job


def test_both_students_are_named_on_the_statistics_and_job_pages(
    teacher: SignedIn, session: Session, people: People
) -> None:
    assert 'id="copies"' not in teacher.client.get(f"/sets/{SET}/stats").text
    copier = issue(session, name=SCRIPT, role=Role.STUDENT).user
    state = {key: value.detach() for key, value in build(LeNetOptions()).state_dict().items()}
    first = _uploaded(session, people.alice_id, state)
    later = _uploaded(session, copier.id, state)
    pages = {
        "stats": teacher.client.get(f"/sets/{SET}/stats").text,
        "first job": teacher.client.get(f"/jobs/{first.id}").text,
        "later job": teacher.client.get(f"/jobs/{later.id}").text,
    }
    for name, page in pages.items():
        assert 'id="copies"' in page, name
        table = page[page.index('id="copies"') :]
        assert "same file" in table and "<bdi>alice</bdi>" in table, name
        assert f"<bdi>{escaped(SCRIPT)}</bdi>" in table and SCRIPT not in page, name
        assert f'href="/jobs/{first.id}"' in table and f'href="/jobs/{later.id}"' in table, name
