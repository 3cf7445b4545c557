"""Class-import routes: an instructor hands in a whole class's work as one file."""

from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy.orm import Session

from app.batches import service
from app.batches.schemas import ImportOptions
from app.db.models import User
from app.deps import IdempotencyDep, ServicesDep, SessionDep
from app.jobs.schemas import JobAccepted
from app.problemsets.endpoints import ProblemSetId
from app.services import Services
from app.uploads import Upload, accepting, documented, received_from
from app.users.service import require_instructor
from app.web.deps import Caller

router = APIRouter(tags=["batches"])

accept_class_file = accepting(
    "the class file and its options",
    "curl -F file=@class.csv -F create_students=true ...",
    lambda settings: settings.max_batch_bytes,
)
"""Refuses a class file that is not multipart/form-data; allows it the class-file limit."""


def get_importer(user: Caller) -> User:
    """The caller, who must be an instructor, checked before a byte of the file is read."""
    return require_instructor(user)


Importer = Annotated[User, Depends(get_importer)]
ClassUpload = Annotated[Upload, Depends(received_from(get_importer), scope="function")]


@router.post(
    "/problem-sets/{problem_set}/batches",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(accept_class_file)],
    openapi_extra=documented(
        ImportOptions, "The class file: .jsonl, .csv, or a .zip of one with model files."
    ),
)
def import_class(
    problem_set: ProblemSetId,
    instructor: Importer,
    upload: ClassUpload,
    services: ServicesDep,
    session: SessionDep,
    idempotency: IdempotencyDep,
) -> JobAccepted:
    """Store a class file and queue its import; poll the job for the counts and bad rows.

    Takes a bearer token, or the pages' session with its CSRF token. With an
    `Idempotency-Key`, a retry of a stored import answers the first job again."""
    return idempotency.queued(
        session,
        instructor,
        route=f"batches:{problem_set}",
        digest=upload.digest,
        run=lambda: start_upload(services, session, instructor, problem_set, upload),
    )


def start_upload(
    services: Services, session: Session, instructor: User, problem_set: str, upload: Upload
) -> JobAccepted:
    """Store an uploaded class file and queue its import, with the form's options."""
    options = upload.options(ImportOptions)
    return service.start_import(
        services,
        session,
        instructor,
        problem_set,
        upload.file,
        upload.filename,
        create_students=options.create_students,
        published_numbers=options.published_numbers,
    )
