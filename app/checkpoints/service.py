"""Checkpoint uploads: store the bytes and queue an evaluation job; read jobs back; record an
evaluated checkpoint as a submission. This process never deserializes a model: the sandboxed
worker (app/checkpoints/worker.py) does."""

import hashlib
import os
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy.orm import Session

from app import __version__
from app.checkpoints.envelope import CheckpointRejected, screen
from app.checkpoints.schemas import (
    CHECKPOINT_JOB,
    CheckpointCreate,
    EvaluationOutcome,
)
from app.checkpoints.worker import evaluate_upload
from app.db.models import FieldGrade, Job, Submission, User, new_id, utcnow
from app.errors import (
    InvalidRequest,
    PayloadTooLarge,
    RateLimited,
    UnknownField,
    UnsupportedMediaType,
)
from app.jobs import repository as jobs_repository
from app.jobs import service as jobs
from app.jobs.protocol import JobKind, Json
from app.jobs.public import accepted
from app.jobs.schemas import JobAccepted
from app.problemsets.catalog import ProblemCatalog, reference_hash
from app.problemsets.schema import CheckpointSpec, ProblemSetDef
from app.submissions import policy
from app.submissions import repository as submissions_repository
from app.untrusted import shown

if TYPE_CHECKING:
    from app.services import Services

UPLOADS = "uploads"
ACCEPTED_SUFFIXES = (".safetensors", ".pt", ".pth")
SAVE_STATE_DICT = (
    "Upload the state_dict instead: safetensors.torch.save_file(model.state_dict(), "
    "'model.safetensors') (preferred), or torch.save(model.state_dict(), 'model.pt')."
)
REFUSED_SUFFIXES = {
    ".pt2": "A torch.export archive (.pt2) can run code when it is loaded, so it is not accepted.",
    ".ts": "A TorchScript file can run code when it is loaded, so it is not accepted.",
    ".zip": "A .zip is a TorchScript or export archive, which can run code when loaded.",
    ".onnx": "ONNX models are not evaluated here.",
    ".pkl": "A pickle can run code when it is loaded, so it is not accepted.",
    ".pickle": "A pickle can run code when it is loaded, so it is not accepted.",
}
MAX_PENDING_JOBS = 10
MAX_FILENAME_CHARS = 200
_CHUNK = 1 << 20


def upload(
    services: "Services",
    session: Session,
    user: User,
    problem_set: str,
    form: CheckpointCreate,
    file: BinaryIO,
    filename: str | None,
    *,
    now: datetime | None = None,
) -> JobAccepted:
    """Store an uploaded model and queue its evaluation; the job runs once this commits."""
    when = now or utcnow()
    definition = services.catalog.definition(problem_set)
    spec = _checkpoint_spec(definition, form.field)
    max_score = services.catalog.compiled(problem_set).fields[form.field].max_score
    late = policy.lateness(definition.policy, problem_set, when)
    name, suffix = _accepted_name(filename)
    if jobs_repository.pending_count(session, user.id) >= MAX_PENDING_JOBS:
        raise RateLimited(
            f"You have {MAX_PENDING_JOBS} evaluations waiting; upload again when one has finished.",
            headers={"Retry-After": "30"},
        )
    settings = services.settings
    job_id = new_id()
    path = (settings.data_dir / UPLOADS / job_id).resolve()
    size, digest = _store(file, path, max_bytes=settings.max_checkpoint_bytes)
    _screen_stored(path, f"upload{suffix}", max_bytes=settings.max_checkpoint_bytes)
    job = Job(
        id=job_id,
        kind=CHECKPOINT_JOB,
        user_id=user.id,
        problem_set=problem_set,
        field=form.field,
        created_at=when,
        spec={
            "path": str(path),
            "upload": {"filename": name, "bytes": size, "sha256": digest},
            "suffix": suffix,
            "max_bytes": settings.max_checkpoint_bytes,
            "field": form.field,
            "declared": form.declared(),
            "preprocessing": form.preprocessing(),
            "claims": {
                "test_accuracy": form.claimed_test_accuracy,
                "train_accuracy": form.claimed_train_accuracy,
            },
            "evaluate_train": form.evaluate_train,
            "rules": spec.model_dump(),
            "max_score": max_score,
            "dataset_dir": str(settings.dataset_dir.resolve()),
            "device": settings.device,
            "late": late.late,
            "score_factor": late.factor,
        },
    )
    try:
        jobs.create(session, job)
        # Committed here, not at the end of the request: the job may be queued only once its
        # row is visible to the process that will run it.
        session.commit()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    services.jobs.submit(job_id)
    return accepted(job)


def _screen_stored(path: Path, filename: str, *, max_bytes: int) -> None:
    """Refuse at once, with 422, an upload that is plainly not a state_dict; nothing is kept."""
    try:
        screen(path.read_bytes(), filename, max_bytes=max_bytes)
    except CheckpointRejected:
        path.unlink(missing_ok=True)
        raise


def checkpoint_kind(catalog: ProblemCatalog) -> JobKind:
    """The job kind that evaluates an uploaded checkpoint and records it as a submission."""
    return JobKind(
        name=CHECKPOINT_JOB,
        run=evaluate_upload,
        complete=partial(record_evaluation, catalog=catalog),
        lost=upload_lost,
    )


def upload_lost(spec: Json) -> str | None:
    """Why a checkpoint job cannot resume: its uploaded file is gone."""
    if Path(spec["path"]).is_file():
        return None
    return "The uploaded file is no longer on the server; upload the model again."


def record_evaluation(
    session: Session, job: Job, outcome: Json, *, catalog: ProblemCatalog
) -> None:
    """Store an evaluated checkpoint as a submission of one field, with its provenance."""
    evaluated = EvaluationOutcome.model_validate(outcome)
    compiled = catalog.compiled(job.problem_set)
    field = compiled.fields[job.field]
    score = min(evaluated.grade.score, field.max_score)
    submission = Submission(
        user_id=job.user_id,
        problem_set=job.problem_set,
        created_at=job.created_at,
        total=score,
        max_total=compiled.max_total,
        late=bool(job.spec["late"]),
        score_factor=float(job.spec["score_factor"]),
        engine_version=__version__,
        problem_hash=catalog.file_hash(job.problem_set),
        reference_hash=reference_hash(),
        fields=[
            FieldGrade(
                position=list(compiled.fields).index(job.field),
                field=job.field,
                answer=_answer_text(job),
                verdict=evaluated.grade.verdict,
                score=score,
                max_score=field.max_score,
                feedback=evaluated.grade.feedback,
                parsed=summary(evaluated, job.spec["claims"]),
            )
        ],
    )
    job.submission_id = submissions_repository.add(session, submission).id


def summary(outcome: EvaluationOutcome, claims: dict[str, Any]) -> str:
    """How the checkpoint was read and measured, in one line of markdown with LaTeX."""
    test = outcome.test
    parts = [
        f"test accuracy {_percent(test.accuracy)} "
        f"(95% CI {_percent(test.ci_low)}–{_percent(test.ci_high)}, $n = {test.count}$)"
    ]
    if claims.get("test_accuracy") is not None:
        parts.append(f"claimed {_percent(claims['test_accuracy'])}")
    if outcome.train is not None:
        parts.append(f"train accuracy {_percent(outcome.train.accuracy)}")
        if claims.get("train_accuracy") is not None:
            parts.append(f"claimed {_percent(claims['train_accuracy'])}")
    options = outcome.options
    architecture = (
        f"LeNet-5, padding {options.get('padding')}, {options.get('pool')} pooling, "
        f"{options.get('activation')}, batch norm {options.get('batchnorm')}"
    )
    return f"{architecture}: " + "; ".join(parts)


def _percent(fraction: float) -> str:
    return f"{100 * fraction:.2f}\\%"


def _answer_text(job: Job) -> str:
    upload = job.spec["upload"]
    return (
        f"checkpoint {upload['filename']} ({upload['bytes']} bytes, "
        f"sha256 {upload['sha256']}), job {job.id}"
    )


def _checkpoint_spec(definition: ProblemSetDef, field_id: str) -> CheckpointSpec:
    uploads = {
        field.id: field.answer
        for question in definition.questions
        for field in question.fields
        if isinstance(field.answer, CheckpointSpec)
    }
    if field_id not in uploads:
        known = ", ".join(uploads) or "none"
        raise UnknownField(
            f"{shown(field_id)} is not a model-upload field of {definition.id}; "
            f"those are: {known}.",
            fields=["field"],
        )
    return uploads[field_id]


def _accepted_name(filename: str | None) -> tuple[str, str]:
    """The file's name as shown back, and its extension, if it is one the worker reads."""
    name = (filename or "").strip()
    if not name:
        raise InvalidRequest(
            "Send the model as the `file` part, with its file name.", fields=["file"]
        )
    suffix = os.path.splitext(name)[1].lower()
    if suffix in REFUSED_SUFFIXES:
        raise UnsupportedMediaType(f"{REFUSED_SUFFIXES[suffix]} {SAVE_STATE_DICT}", fields=["file"])
    if suffix not in ACCEPTED_SUFFIXES:
        raise UnsupportedMediaType(
            f"{shown(name)}: the model must be a .safetensors, .pt or .pth file. {SAVE_STATE_DICT}",
            fields=["file"],
        )
    return shown(name, limit=MAX_FILENAME_CHARS), suffix


def _store(file: BinaryIO, path: Path, *, max_bytes: int) -> tuple[int, str]:
    """Copy the upload to path, counting as it goes: 413 past max_bytes, nothing left behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial_path = path.with_name(path.name + ".part")
    digest = hashlib.sha256()
    size = 0
    try:
        with partial_path.open("xb") as out:
            while chunk := file.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(
                        f"The model file is larger than {max_bytes} bytes.", fields=["file"]
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise InvalidRequest("The model file is empty.", fields=["file"])
        partial_path.rename(path)
    except BaseException:
        partial_path.unlink(missing_ok=True)
        raise
    return size, digest.hexdigest()
