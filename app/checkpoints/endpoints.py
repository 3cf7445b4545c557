"""Checkpoint routes: upload a trained model for evaluation, and follow the job it starts."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile, status

from app.checkpoints import service
from app.checkpoints.schemas import CheckpointCreate
from app.deps import CheckpointQuota, ServicesDep, SessionDep, multipart_required
from app.jobs.schemas import JobAccepted
from app.problemsets.endpoints import ProblemSetId

router = APIRouter(tags=["checkpoints"])

CHECKPOINT_UPLOAD_PATH = r"/problem-sets/[^/]+/checkpoints"
"""The upload route, as a pattern for the body-size limit (which is the model size limit)."""
MULTIPART_OVERHEAD_BYTES = 64_000
"""Room in an upload's body for the form fields and multipart boundaries besides the file."""
ID_PATTERN = r"^[0-9a-f-]{1,36}$"
require_multipart = multipart_required(
    "the model and its details", "curl -F file=@model.safetensors -F field=q4.baseline ..."
)
"""Refuses a model upload that is not multipart/form-data (the page's upload takes it too)."""


@router.post(
    "/problem-sets/{problem_set}/checkpoints",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(require_multipart)],
)
def upload_checkpoint(
    problem_set: ProblemSetId,
    form: Annotated[CheckpointCreate, Form()],
    file: Annotated[UploadFile, File(description="A state_dict: .safetensors, .pt or .pth.")],
    services: ServicesDep,
    session: SessionDep,
    user: CheckpointQuota,
) -> JobAccepted:
    """Store a trained model and queue its evaluation on Fashion-MNIST; poll the job it names."""
    return service.upload(services, session, user, problem_set, form, file.file, file.filename)
