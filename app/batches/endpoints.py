"""Class-import routes: an instructor hands in a whole class's work as one file."""

from typing import Annotated

from fastapi import APIRouter, Depends, status

from app.batches import service
from app.batches.schemas import ImportOptions
from app.db.models import User
from app.deps import IdempotencyDep, ServicesDep, SessionDep
from app.jobs.schemas import JobAccepted
from app.problemsets.endpoints import ProblemSetId
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
    options = upload.options(ImportOptions)
    return idempotency.once(
        session,
        instructor,
        route=f"batches:{problem_set}",
        digest=upload.digest,
        status=status.HTTP_202_ACCEPTED,
        model=JobAccepted,
        run=lambda: service.start_import(
            services,
            session,
            instructor,
            problem_set,
            upload.file,
            upload.filename,
            create_students=options.create_students,
            published_numbers=options.published_numbers,
        ),
    )
