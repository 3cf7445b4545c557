"""Regrade routes."""

from fastapi import APIRouter, status

from app.deps import Instructor, ServicesDep, SessionDep
from app.jobs.schemas import JobAccepted
from app.problemsets.endpoints import ProblemSetId
from app.regrade import service

router = APIRouter(tags=["regrade"])


@router.post("/problem-sets/{problem_set}/regrade", status_code=status.HTTP_202_ACCEPTED)
def regrade(
    problem_set: ProblemSetId, services: ServicesDep, session: SessionDep, user: Instructor
) -> JobAccepted:
    """Read the problem files again and regrade every stored answers submission of the problem
    set; the job's result names each student whose grade changed, field by field."""
    return service.start_regrade(services, session, user, problem_set)
