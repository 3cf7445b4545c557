"""Override routes: an instructor sets or removes a field's score; the history is shown to
instructors and to the submission's student."""

from typing import Annotated

from fastapi import APIRouter, Path

from app.deps import CurrentUser, Instructor, JsonBody, SessionDep
from app.overrides import service
from app.overrides.schemas import OverrideCreate, OverrideHistory, OverridePublic, OverrideRemoval

router = APIRouter(tags=["overrides"])

SubmissionId = Annotated[str, Path(pattern=r"^[0-9a-f-]{1,36}$", description="A submission id.")]
FieldId = Annotated[str, Path(min_length=1, max_length=100, description="A field id.")]


@router.put("/submissions/{submission_id}/overrides/{field}", dependencies=[JsonBody])
def set_override(
    submission_id: SubmissionId,
    field: FieldId,
    body: OverrideCreate,
    session: SessionDep,
    user: Instructor,
) -> OverridePublic:
    """Put a score (and verdict) in force for one field of a submission, with a comment the
    student reads; it replaces the override in force, if any, and outlasts regrades."""
    return service.set_override(session, user, submission_id, field, body)


@router.post("/submissions/{submission_id}/overrides/{field}/removal", dependencies=[JsonBody])
def remove_override(
    submission_id: SubmissionId,
    field: FieldId,
    body: OverrideRemoval,
    session: SessionDep,
    user: Instructor,
) -> OverridePublic:
    """Take a field's override away, with the reason; the automatic grade counts again."""
    return service.remove_override(session, user, submission_id, field, body)


@router.get("/submissions/{submission_id}/overrides")
def overrides(
    submission_id: SubmissionId, session: SessionDep, user: CurrentUser
) -> OverrideHistory:
    """Every override of a submission, in force or not, oldest first."""
    return service.history(session, user, submission_id)
