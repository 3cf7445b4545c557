"""Class imports. The request stores the class file (a blob in the database), reads it once and
queues a job; the job (or `dlgrade batch`, directly) matches the students (`students`), grades
the rows in chunks on the grading workers and stores each chunk in one transaction (`chunks`).
Every part of a row carries a key (`keys`), a digest of what was handed in, so an import run
again, resumed or racing another stores nothing twice.
"""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from app.batches.chunks import Batch
from app.batches.parse import read_class_file
from app.batches.schemas import BATCH_JOB, BatchOutcome
from app.batches.students import Matched, match_students
from app.batches.tally import Tally
from app.blobs import service as blobs
from app.db.engine import on_commit
from app.db.models import Job, User, new_id, utcnow
from app.jobs import service as jobs
from app.jobs.protocol import JobInterrupted, UnitOfWork
from app.jobs.public import accepted
from app.jobs.schemas import JobAccepted
from app.problemsets.catalog import ProblemCatalog
from app.services import Services
from app.submissions.service import UNSTORABLE

CLASS_FILE_BLOB = "class-file"
"""The purpose of a class file's blob."""
CHUNK_ROWS = 32
"""Rows graded together and stored in one transaction."""
MAX_FILENAME_CHARS = 200


def start_import(
    services: Services,
    session: Session,
    instructor: User,
    problem_set: str,
    file: BinaryIO,
    filename: str | None,
    *,
    create_students: bool,
    published_numbers: bool,
) -> JobAccepted:
    """Store a class file, refuse it at once if it cannot be read, and queue its import."""
    fields = field_kinds(services.catalog, problem_set)
    name = UNSTORABLE.sub("\ufffd", (filename or "").strip())[:MAX_FILENAME_CHARS]
    job_id = new_id()

    def check(stored: BinaryIO) -> None:
        with blobs.private_copy(stored) as path:
            read_class_file(path, filename=name, fields=fields)

    blob = blobs.store_checked(
        session,
        file,
        check=check,
        purpose=CLASS_FILE_BLOB,
        owner_id=instructor.id,
        job_id=job_id,
        max_bytes=services.settings.max_batch_bytes,
        what="class file",
    )
    job = Job(
        id=job_id,
        kind=BATCH_JOB,
        user_id=instructor.id,
        problem_set=problem_set,
        field="",
        spec={
            "blob": blob.id,
            "filename": name,
            "problem_set": problem_set,
            "create_students": create_students,
            "published_numbers": published_numbers,
            # Rows that do not say when they were handed in count as handed in now, and
            # still now when a resumed job runs again.
            "received_at": utcnow().isoformat(),
        },
    )
    jobs.create(session, job)
    # Queued once the request's transaction commits: its row must be visible to whoever runs
    # it, and a request that rolls back queues nothing.
    on_commit(session, partial(services.jobs.submit, job_id))
    return accepted(job)


def field_kinds(catalog: ProblemCatalog, problem_set: str) -> dict[str, bool]:
    """Every field id of a problem set, mapped to True when a model upload answers it."""
    fields = catalog.compiled(problem_set).fields
    return {field_id: field.is_upload for field_id, field in fields.items()}


def import_file(
    services: Services,
    units: UnitOfWork,
    *,
    path: Path,
    filename: str,
    problem_set: str,
    create_students: bool,
    published_numbers: bool,
    report: Callable[[BatchOutcome], None],
    stopping: Callable[[], bool],
    queue: Callable[[str], None],
    now: datetime | None = None,
) -> BatchOutcome:
    """Import a class file: every good row graded and stored once, every bad row reported."""
    fields = field_kinds(services.catalog, problem_set)
    parsed = read_class_file(path, filename=filename, fields=fields)
    tally = Tally(problem_set, parsed.format, parsed.total)
    for bad in parsed.bad:
        tally.fail(bad)
    now = now or utcnow()
    matched = match_students(
        units, parsed.rows, tally, create=create_students, published=published_numbers, since=now
    )
    batch = Batch(services, units, problem_set, path, now)
    with ThreadPoolExecutor(max_workers=services.settings.grading_workers) as pool:
        for index, chunk in enumerate(_chunks(matched)):
            # Between chunks, not after the last: a finished import is not run again.
            if index and stopping():
                # Safe to run again: every stored row is found by its key and left alone.
                raise JobInterrupted
            for job_id in batch.import_chunk(pool, chunk, tally):
                queue(job_id)
            report(tally.outcome())
    return tally.outcome()


def _chunks(rows: list[Matched]) -> Iterator[list[Matched]]:
    for start in range(0, len(rows), CHUNK_ROWS):
        yield rows[start : start + CHUNK_ROWS]
