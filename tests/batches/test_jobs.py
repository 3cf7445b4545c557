"""An import's job reads its class file, and keeps its models, in the database: it runs with a
data directory the API never wrote to, and writes to no directory."""

import hashlib
from dataclasses import replace
from pathlib import Path

import safetensors.torch
import torch
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.batches.jobs import batch_kind
from app.batches.schemas import BATCH_JOB
from app.blobs import service as blobs
from app.checkpoints.service import CHECKPOINT_BLOB
from app.db.models import Blob, Job
from app.jobs import service as jobs_service
from app.services import Services
from tests.batches.classgen import generate
from tests.batches.http import accepted, assert_stored_once, job
from tests.blobs.stored import held_jobs
from tests.conftest import People
from tests.jobs.conftest import units_in
from tests.jobs.test_service import run_here

MODEL = safetensors.torch.save({"w": torch.ones(4)})


def test_an_import_runs_where_no_upload_is_on_disk(
    job_client: TestClient,
    services: Services,
    session: Session,
    people: People,
    tmp_path: Path,
) -> None:
    generated = generate(5, format="zip", models={"m1.safetensors": MODEL})
    job_id = accepted(
        job_client,
        people.instructor,
        generated.content,
        filename=generated.filename,
        create_students=True,
    )
    elsewhere = tmp_path / "worker-data"
    worker = replace(
        services, settings=services.settings.model_copy(update={"data_dir": elsewhere})
    )
    kinds = {**services.job_kinds, BATCH_JOB: batch_kind(worker)}
    evaluations: list[str] = []
    units = units_in(session)
    jobs_service.process(units, kinds, job_id, run_here, queue=evaluations.append)

    body = job(job_client, people.instructor, job_id)
    assert body["status"] == "done", body
    assert_stored_once(session, generated)
    # The evaluation of the row's model reads its own blob: the model's bytes, whole.
    assert len(evaluations) == 1 and evaluations[0] in held_jobs(session, CHECKPOINT_BLOB)
    evaluation = session.get(Job, evaluations[0])
    assert evaluation is not None
    assert evaluation.spec["upload"]["sha256"] == hashlib.sha256(MODEL).hexdigest()
    with blobs.materialised(units, evaluation.spec["blob"]) as path:
        assert path.read_bytes() == MODEL
    # The class file is let go now that its import has ended; nothing went to any disk.
    assert job_id not in held_jobs(session)
    assert session.scalar(select(Blob.expires_at).where(Blob.job_id == job_id)) is not None
    assert not elsewhere.exists()
    assert not any((services.settings.data_dir / name).exists() for name in ("uploads", "batches"))
