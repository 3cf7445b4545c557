"""Copied models: an evaluated upload is compared with the earlier uploads of its field by other
students, and a match is recorded for instructors; no score changes.

The same bytes are found by the file's SHA-256 (indexed). Near copies are found by the compact
fingerprint the sandboxed worker returns (app/checkpoints/fingerprint.py): every tensor's
relative distance, estimated from its projections, within NEAR_COPY_DISTANCE. Only models of
one layout (the same tensors and shapes) are compared.
"""

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy
from pydantic import ValidationError
from sqlalchemy.orm import Session, object_session

from app.checkpoints import repository
from app.checkpoints.schemas import CopyPublic, CopyStudent, WorkerFingerprint
from app.db.models import Job, ModelCopy, ModelFingerprint, User, utcnow
from app.jobs.protocol import Json

NEAR_COPY_DISTANCE = 0.05
"""The largest relative distance of any tensor for two models to be the same model: far above
noise or a float16 round trip (1e-3), far below independently trained models (about 1.4)."""
MAX_LISTED = 100
"""Copies shown at most on a job or a statistics page, newest first."""
_TINY_NORM = 1e-12
FINGERPRINT_KEY = "fingerprint"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Match:
    """An earlier upload found to be the same model."""

    earlier: ModelFingerprint
    kind: str
    distance: float


def record(session: Session, job: Job, outcome: Json) -> None:
    """Keep the upload's fingerprint and record the copies it is of; the job's stored result
    keeps no fingerprint."""
    job.result = {key: value for key, value in outcome.items() if key != FINGERPRINT_KEY}
    if FINGERPRINT_KEY not in outcome:
        return
    try:
        printed = WorkerFingerprint.model_validate(outcome[FINGERPRINT_KEY])
    except ValidationError:
        # The grade stands without it: a fingerprint only ever adds a flag.
        log.warning("job %s returned a malformed fingerprint; not compared", job.id)
        return
    rows = matrix(printed)
    fingerprint = ModelFingerprint(
        job_id=job.id,
        user_id=job.user_id,
        problem_set=job.problem_set,
        field=job.field,
        sha256=str(job.spec["upload"]["sha256"]),
        layout=layout(printed),
        vector=rows.astype("<f4").tobytes(),
        created_at=utcnow(),
    )
    found = matches(session, fingerprint, rows)
    repository.add_fingerprint(session, fingerprint)
    repository.add_copies(session, [_copy(fingerprint, match) for match in found])


def layout(printed: WorkerFingerprint) -> str:
    """A digest of the scheme and every tensor's name and shape."""
    shapes = [[tensor.key, tensor.shape] for tensor in printed.tensors]
    text = json.dumps([printed.scheme, shapes], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def matrix(printed: WorkerFingerprint) -> numpy.ndarray:
    """One row per tensor: its norm, then its projections."""
    rows = [[tensor.norm, *tensor.projection] for tensor in printed.tensors]
    return numpy.asarray(rows, dtype=numpy.float64)


def matches(session: Session, new: ModelFingerprint, rows: numpy.ndarray) -> list[Match]:
    """The closest earlier upload of each other student that is the same model; none when the
    student uploaded this model before (a copy was recorded then, if it was one)."""
    same = [
        Match(earlier, "exact", 0.0)
        for earlier in repository.same_bytes(session, new.problem_set, new.field, new.sha256)
    ]
    exact = {match.earlier.job_id for match in same}
    candidates = [
        earlier
        for earlier in repository.same_layout(session, new.problem_set, new.field, new.layout)
        if earlier.job_id not in exact
    ]
    for earlier, distance in zip(candidates, distances(rows, candidates), strict=True):
        if distance <= NEAR_COPY_DISTANCE:
            same.append(Match(earlier, "near", distance))
    if any(match.earlier.user_id == new.user_id for match in same):
        return []
    best: dict[str, Match] = {}
    for match in sorted(same, key=lambda match: match.distance):
        best.setdefault(match.earlier.user_id, match)
    return list(best.values())


def distances(rows: numpy.ndarray, candidates: list[ModelFingerprint]) -> list[float]:
    """Per candidate, the largest relative distance of a tensor (infinite when unreadable)."""
    if not candidates:
        return []
    stacked = numpy.stack([_rows(candidate, rows.shape) for candidate in candidates])
    norms, other_norms = rows[None, :, 0], stacked[:, :, 0]
    apart = numpy.linalg.norm(stacked[:, :, 1:] - rows[None, :, 1:], axis=2)
    gap = numpy.maximum(apart, numpy.abs(other_norms - norms))
    scale = numpy.maximum(other_norms, norms)
    # Two tensors that are both (nearly) zero are the same; a zero and a nonzero one are not.
    relative = numpy.where(scale > _TINY_NORM, gap / numpy.maximum(scale, _TINY_NORM), 0.0)
    return [float(value) for value in relative.max(axis=1)]


def _rows(candidate: ModelFingerprint, shape: tuple[int, ...]) -> numpy.ndarray:
    values = numpy.frombuffer(candidate.vector, dtype="<f4").astype(numpy.float64)
    if values.size != shape[0] * shape[1]:
        return numpy.full(shape, numpy.inf)
    return values.reshape(shape)


def _copy(new: ModelFingerprint, match: Match) -> ModelCopy:
    return ModelCopy(
        problem_set=new.problem_set,
        field=new.field,
        kind=match.kind,
        distance=match.distance,
        earlier_job_id=match.earlier.job_id,
        earlier_user_id=match.earlier.user_id,
        later_job_id=new.job_id,
        later_user_id=new.user_id,
        found_at=utcnow(),
    )


def of_job(job: Job) -> list[CopyPublic]:
    """The copies a job's upload is a side of, read in the session the job was loaded in."""
    session = object_session(job)
    if session is None:
        return []
    return public(session, repository.copies_of_job(session, job.id, limit=MAX_LISTED))


def of_problem_set(session: Session, problem_set: str) -> list[CopyPublic]:
    """The copies found among a problem set's uploads, newest first."""
    return public(session, repository.copies_of_problem_set(session, problem_set, limit=MAX_LISTED))


def public(session: Session, copies: Sequence[ModelCopy]) -> list[CopyPublic]:
    """Copies with both students named."""
    ids = {copy.earlier_user_id for copy in copies} | {copy.later_user_id for copy in copies}
    people = repository.users(session, ids)
    return [
        CopyPublic(
            field=copy.field,
            kind="exact" if copy.kind == "exact" else "near",
            distance=copy.distance,
            earlier=_student(people[copy.earlier_user_id], copy.earlier_job_id),
            later=_student(people[copy.later_user_id], copy.later_job_id),
            found_at=copy.found_at,
        )
        for copy in copies
    ]


def _student(user: User, job_id: str) -> CopyStudent:
    return CopyStudent(user_id=user.id, name=user.name, login=user.login, job_id=job_id)
