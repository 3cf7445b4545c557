"""Copied models, on SQLite and PostgreSQL: the same file and weights within the distance are
recorded with both students named; independent models, a student's own re-upload, another
field and another architecture are not. Through HTTP, the flag is on the job (instructors
only), in the statistics and on their pages, and no score changes."""

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy
import pytest
import safetensors.torch
import torch
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.checkpoints import copies
from app.checkpoints.architecture import LeNetOptions, Preprocessing, build
from app.checkpoints.copies import NEAR_COPY_DISTANCE
from app.checkpoints.fingerprint import fingerprint
from app.checkpoints.schemas import CHECKPOINT_JOB
from app.db.models import Job, JobStatus, ModelCopy, ModelFingerprint, Role
from app.jobs.memory import MemoryBackend
from app.users.service import issue
from tests.checkpoints.http import API, DL_EX1, accepted, finished, job
from tests.checkpoints.trained import USUAL, Recipe, Trained, one_torch_thread, train
from tests.conftest import People

State = dict[str, torch.Tensor]
FIELD = "q4.baseline"
LENET = LeNetOptions()


def _initialised(seed: int, options: LeNetOptions = LENET) -> State:
    torch.manual_seed(seed)
    return {key: value.detach().clone() for key, value in build(options).state_dict().items()}


def _perturbed(state: State) -> State:
    generator = torch.Generator().manual_seed(7)
    return {
        key: value * (1 + 1e-4 * torch.randn(value.shape, generator=generator))
        if value.is_floating_point()
        else value
        for key, value in state.items()
    }


def _half(state: State) -> State:
    return {
        key: value.half().float() if value.is_floating_point() else value
        for key, value in state.items()
    }


def _renormalised(state: State, old: Preprocessing, new: Preprocessing) -> State:
    """The same function for inputs normalised with `new` instead of `old` (conv1 rewritten)."""
    weight, bias = state["conv1.weight"], state["conv1.bias"]
    sums = weight.sum(dim=(1, 2, 3))
    return {
        **state,
        "conv1.weight": weight * new.std / old.std,
        "conv1.bias": bias + (new.mean - old.mean) / old.std * sums,
    }


@dataclass(frozen=True)
class Second:
    """How the second upload is made from the first, who uploads it, and what is expected."""

    name: str
    make: Callable[[State], State]
    preprocessing: Preprocessing = USUAL
    same_file: bool = False
    same_student: bool = False
    field: str = FIELD
    expected: str | None = None


SECONDS = [
    Second("the same file", lambda state: state, same_file=True, expected="exact"),
    Second("weights times 1 + 1e-4 noise", _perturbed, expected="near"),
    Second("a float16 round trip", _half, expected="near"),
    Second(
        "rewritten for another declared normalisation",
        lambda state: _renormalised(state, USUAL, Preprocessing(0.5, 0.5)),
        preprocessing=Preprocessing(0.5, 0.5),
        expected="near",
    ),
    Second("independently initialised", lambda state: _initialised(1)),
    Second("the weights scaled by 1.2", lambda state: {k: 1.2 * v for k, v in state.items()}),
    Second("another architecture", lambda state: _initialised(0, LeNetOptions(padding=0))),
    Second("the same student again", lambda state: state, same_file=True, same_student=True),
    Second("the same file for another field", lambda s: s, same_file=True, field="q4.dropout"),
    Second(
        "the same weights, another declared normalisation",
        lambda state: state,
        preprocessing=Preprocessing(0.5, 0.5),
    ),
]


def _evaluated(
    session: Session, user_id: str, state: State, preprocessing: Preprocessing, **upload: str
) -> Job:
    """A done checkpoint job whose outcome carries the model's fingerprint, recorded."""
    sha256 = upload.get("sha256") or hashlib.sha256(repr(sorted(state)).encode()).hexdigest()
    record = Job(
        kind=CHECKPOINT_JOB,
        user_id=user_id,
        problem_set=DL_EX1,
        field=upload.get("field", FIELD),
        status=JobStatus.DONE.value,
        spec={"upload": {"filename": "model.pt", "bytes": 1, "sha256": sha256}},
    )
    session.add(record)
    session.flush()
    outcome = {"test": {"accuracy": 0.9}, "fingerprint": fingerprint(state, preprocessing)}
    copies.record(session, record, outcome)
    session.flush()
    return record


@pytest.mark.parametrize("second", SECONDS, ids=lambda second: second.name)
def test_copies_are_found_and_nothing_else(
    session: Session, people: People, second: Second
) -> None:
    first_state = _initialised(0)
    first = _evaluated(session, people.alice_id, first_state, USUAL, sha256="a" * 64)
    uploader = people.alice_id if second.same_student else people.bob_id
    sha256 = "a" * 64 if second.same_file else "b" * 64
    later = _evaluated(
        session,
        uploader,
        second.make(first_state),
        second.preprocessing,
        sha256=sha256,
        field=second.field,
    )
    found = copies.of_problem_set(session, DL_EX1)
    assert [copy.kind for copy in found] == ([second.expected] if second.expected else [])
    assert "fingerprint" not in (later.result or {})
    if second.expected:
        [copy] = found
        assert (copy.earlier.job_id, copy.later.job_id) == (first.id, later.id)
        assert (copy.earlier.name, copy.later.name) == ("alice", "bob")
        assert copy.distance < 1e-2 * NEAR_COPY_DISTANCE
        assert [c.model_dump() for c in copies.of_job(first)] == [copy.model_dump()]


def test_independent_models_are_far_apart_and_a_copy_is_close(
    session: Session, people: People
) -> None:
    # The margin the threshold sits in: a near copy is orders of magnitude below, an
    # independent model orders of magnitude above.
    state = _initialised(0)
    first = _evaluated(session, people.alice_id, state, USUAL, sha256="a" * 64)
    rows = {
        name: copies.matrix(copies.WorkerFingerprint.model_validate(fingerprint(made, USUAL)))
        for name, made in (("copy", _perturbed(state)), ("other", _initialised(5)))
    }
    stored = session.get(ModelFingerprint, first.id)
    assert stored is not None
    [near] = copies.distances(rows["copy"], [stored])
    [far] = copies.distances(rows["other"], [stored])
    assert near < 1e-3 < NEAR_COPY_DISTANCE < 0.5 < far


def test_one_copy_per_other_student_the_closest(session: Session, people: People) -> None:
    state = _initialised(0)
    _evaluated(session, people.alice_id, _perturbed(state), USUAL, sha256="a" * 64)
    exact = _evaluated(session, people.alice_id, state, USUAL, sha256="b" * 64)
    _evaluated(session, people.bob_id, state, USUAL, sha256="b" * 64)
    [copy] = copies.of_problem_set(session, DL_EX1)
    assert (copy.kind, copy.earlier.job_id, copy.distance) == ("exact", exact.id, 0.0)


def test_a_malformed_fingerprint_records_the_grade_and_no_copy(
    session: Session, people: People
) -> None:
    record = Job(
        kind=CHECKPOINT_JOB,
        user_id=people.bob_id,
        problem_set=DL_EX1,
        field=FIELD,
        status=JobStatus.DONE.value,
        spec={"upload": {"filename": "m.pt", "bytes": 1, "sha256": "c" * 64}},
    )
    session.add(record)
    session.flush()
    copies.record(session, record, {"test": {}, "fingerprint": {"scheme": "rp32-v1"}})
    assert record.result == {"test": {}}
    assert session.scalar(select(func.count()).select_from(ModelFingerprint)) == 0


# -- through HTTP, evaluated in the sandbox ----------------------------------------------------


def _pt(state: State) -> bytes:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def independent(trained: dict[str, Trained], train_split: object) -> bytes:
    """A model trained as the "plain" one is, from another initialisation and other batches."""
    from app.checkpoints.dataset import LabeledImages

    assert isinstance(train_split, LabeledImages)
    data = LabeledImages(train_split.images[:20_000], train_split.labels[:20_000])
    with one_torch_thread():
        state = train(Recipe(trained["plain"].options, USUAL, steps=100, seed=1), data)
    return safetensors.torch.save(state)


def test_copied_uploads_are_flagged_to_instructors_naming_both_students(
    job_client: TestClient,
    backend: MemoryBackend,
    people: People,
    session: Session,
    trained: dict[str, Trained],
    independent: bytes,
) -> None:
    carol = issue(session, name="carol", role=Role.STUDENT)
    dave = issue(session, name="dave", role=Role.STUDENT)
    eve = issue(session, name="eve", role=Role.STUDENT)
    session.commit()
    model = trained["plain"]
    form = {"mean": USUAL.mean, "std": USUAL.std}
    uploads = {
        "alice": (people.alice, model.safetensors_bytes),
        "bob": (people.bob, model.safetensors_bytes),
        "carol": (carol.token, _pt(_perturbed(model.state))),
        "alice again": (people.alice, model.safetensors_bytes),
        "dave": (dave.token, independent),
        "eve": (eve.token, _pt({f"module.{key}": value for key, value in model.state.items()})),
    }
    jobs = {}
    for name, (token, content) in uploads.items():
        jobs[name] = accepted(job_client, token, content, **form)
        assert finished(job_client, backend, token, jobs[name])["status"] == "done"

    def pairs(body: dict[str, object]) -> set[tuple[str, str, str]]:
        listed = body["copies"]
        assert isinstance(listed, list)
        return {(c["earlier"]["name"], c["later"]["name"], c["kind"]) for c in listed}

    seen = {
        name: job(job_client, people.instructor, job_id).json() for name, job_id in jobs.items()
    }
    assert pairs(seen["bob"]) == {
        ("alice", "bob", "exact"),
        ("bob", "carol", "near"),
        ("bob", "eve", "near"),
    }
    assert pairs(seen["carol"]) == {
        ("alice", "carol", "near"),
        ("bob", "carol", "near"),
        ("carol", "eve", "near"),
    }
    assert pairs(seen["alice again"]) == set() and pairs(seen["dave"]) == set()
    # The same weights under wrapped names, saved as .pt: the same model, read as LeNet-5's.
    assert pairs(seen["eve"]) == {(name, "eve", "near") for name in ("alice", "bob", "carol")}
    assert pairs(seen["alice"]) == {
        ("alice", "bob", "exact"),
        ("alice", "carol", "near"),
        ("alice", "eve", "near"),
    }
    printed = {name: session.get(ModelFingerprint, jobs[name]) for name in ("alice", "dave")}
    assert printed["alice"] is not None and printed["dave"] is not None
    rows = numpy.frombuffer(printed["dave"].vector, dtype="<f4").reshape(-1, 33)
    [apart] = copies.distances(rows.astype(numpy.float64), [printed["alice"]])
    assert apart > 10 * NEAR_COPY_DISTANCE
    # A student's own view of the same job names no one.
    assert job(job_client, people.bob, jobs["bob"]).json()["copies"] is None
    # Scores stay as graded.
    scores = {name: body["result"]["grade"]["score"] for name, body in seen.items()}
    assert scores["bob"] == scores["alice"] == scores["alice again"]

    stats = job_client.get(
        f"{API}/problem-sets/{DL_EX1}/stats", headers=People.auth(people.instructor)
    ).json()
    assert pairs(stats) == {
        ("alice", "bob", "exact"),
        ("alice", "carol", "near"),
        ("bob", "carol", "near"),
        *((name, "eve", "near") for name in ("alice", "bob", "carol")),
    }
    assert all(copy["field"] == FIELD for copy in stats["copies"])
    assert session.scalar(select(func.count()).select_from(ModelCopy)) == 6
