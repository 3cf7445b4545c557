"""Statistics routes."""

from fastapi import APIRouter

from app.deps import Instructor, ServicesDep, SessionDep
from app.problemsets.endpoints import ProblemSetId
from app.stats import service
from app.stats.schemas import ProblemSetStats

router = APIRouter(tags=["stats"])


@router.get("/problem-sets/{problem_set}/stats")
def problem_set_stats(
    problem_set: ProblemSetId, services: ServicesDep, session: SessionDep, _user: Instructor
) -> ProblemSetStats:
    """Verdict shares, common wrong answers and score spreads over the work that counts."""
    return service.compute(services, session, problem_set)
