"""Class-import routes: an instructor hands in a whole class's work as one file."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile, status

from app.batches import service
from app.deps import Instructor, ServicesDep, SessionDep, multipart_required
from app.jobs.schemas import JobAccepted
from app.problemsets.endpoints import ProblemSetId

router = APIRouter(tags=["batches"])

BATCH_UPLOAD_PATH = r"/problem-sets/[^/]+/batches"
"""The import route, as a pattern for the body-size limit (which is the class-file limit)."""
require_multipart = multipart_required(
    "the class file and its options", "curl -F file=@class.csv -F create_students=true ..."
)
"""Refuses a class file that is not sent as multipart/form-data."""


@router.post(
    "/problem-sets/{problem_set}/batches",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(require_multipart)],
)
def import_class(
    problem_set: ProblemSetId,
    file: Annotated[
        UploadFile,
        File(description="The class file: .jsonl, .csv, or a .zip of one with model files."),
    ],
    services: ServicesDep,
    session: SessionDep,
    instructor: Instructor,
    create_students: Annotated[
        bool, Form(description="Create a student for every name the course does not know.")
    ] = False,
    published_numbers: Annotated[
        bool, Form(description="Grade every row against the published numbers.")
    ] = False,
) -> JobAccepted:
    """Store a class file and queue its import; poll the job for the counts and bad rows."""
    return service.start_import(
        services,
        session,
        instructor,
        problem_set,
        file.file,
        file.filename,
        create_students=create_students,
        published_numbers=published_numbers,
    )
