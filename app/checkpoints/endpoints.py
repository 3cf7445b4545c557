"""Checkpoint routes: upload a trained model for evaluation, and follow the job it starts."""

from typing import Annotated

from fastapi import APIRouter, Depends, status

from app.checkpoints import service
from app.checkpoints.schemas import CheckpointCreate
from app.db.models import User
from app.deps import IdempotencyDep, ServicesDep, SessionDep
from app.jobs.schemas import JobAccepted
from app.problemsets.endpoints import ProblemSetId
from app.uploads import Upload, accepting, documented, received_from
from app.web.deps import Caller

router = APIRouter(tags=["checkpoints"])

ID_PATTERN = r"^[0-9a-f-]{1,36}$"
accept_model = accepting(
    "the model and its details",
    "curl -F file=@model.safetensors -F field=q4.baseline ...",
    lambda settings: settings.max_checkpoint_bytes,
)
"""Refuses a model upload that is not multipart/form-data; allows it the model size limit."""


def limit_checkpoints(services: ServicesDep, user: Caller) -> User:
    """The caller, counted against a checkpoint-upload quota at the submission rate."""
    services.limiter.hit("checkpoints", user.id)
    return user


# The quota is counted, like the caller checked, before a byte of the model is read.
CheckpointQuota = Annotated[User, Depends(limit_checkpoints)]
ModelUpload = Annotated[Upload, Depends(received_from(limit_checkpoints), scope="function")]


@router.post(
    "/problem-sets/{problem_set}/checkpoints",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(accept_model)],
    openapi_extra=documented(CheckpointCreate, "A state_dict: .safetensors, .pt or .pth."),
)
def upload_checkpoint(
    problem_set: ProblemSetId,
    user: CheckpointQuota,
    upload: ModelUpload,
    services: ServicesDep,
    session: SessionDep,
    idempotency: IdempotencyDep,
) -> JobAccepted:
    """Store a trained model and queue its evaluation on Fashion-MNIST; poll the job it names.

    Takes a bearer token, or the pages' session with its CSRF token. With an
    `Idempotency-Key`, a retry of a stored upload answers the first job again."""
    form = upload.options(CheckpointCreate)
    return idempotency.queued(
        session,
        user,
        route=f"checkpoints:{problem_set}",
        digest=upload.digest,
        run=lambda: service.upload(
            services, session, user, problem_set, form, upload.file, upload.filename
        ),
    )
