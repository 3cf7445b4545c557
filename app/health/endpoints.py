"""GET /healthz (the process answers) and GET /readyz (database and problem sets ready)."""

from fastapi import APIRouter
from sqlalchemy import text

from app.deps import ServicesDep, SessionDep
from app.errors import Unavailable

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(services: ServicesDep, session: SessionDep) -> dict[str, object]:
    """The database answers and the problem sets are loaded."""
    try:
        session.execute(text("SELECT 1"))
    except Exception as exc:
        raise Unavailable("The database cannot be reached.") from exc
    return {"status": "ok", "problem_sets": services.catalog.ids()}
