"""Job kinds for the tests: module-level functions, so a worker process can import them."""

import time
from typing import Any

from sqlalchemy.orm import Session

from app.db.models import Job
from app.jobs.protocol import JobKind, Json, UnitOfWork

RECORDED: list[tuple[str, Json]] = []
CLEANED: list[Json] = []


def echo(spec: Json) -> Json:
    """The spec back."""
    return {"echo": spec}


def refuse(spec: Json) -> Json:
    """An outcome that fails the job."""
    return {"error": {"error": "Refused", "detail": f"refused {spec.get('n')}"}}


def boom(spec: Json) -> Json:
    """Raises inside the worker."""
    raise ValueError("boom")


def sleep(spec: Json) -> Json:
    """Sleeps for spec["s"] seconds."""
    time.sleep(float(spec["s"]))
    return {"slept": spec["s"]}


def record(session: Session, job: Job, outcome: Json) -> None:
    """Remember what was completed."""
    RECORDED.append((job.id, outcome))


def fail_to_record(session: Session, job: Job, outcome: Json) -> None:
    """Write something, then fail: the write must not survive."""
    job.field = "changed"
    session.flush()
    raise RuntimeError("the database went away")


def never_lost(session: Session, spec: Json) -> str | None:
    """Every job can resume."""
    return None


def lost_unless_kept(session: Session, spec: Json) -> str | None:
    """A job can resume only if its spec says it kept its input."""
    return None if spec.get("kept", True) else "its input is gone"


def clean_up(units: UnitOfWork, spec: Json) -> None:
    """Remember whose input was cleaned up."""
    CLEANED.append(spec)


def fail_to_clean_up(units: UnitOfWork, spec: Json) -> None:
    """A clean-up whose file cannot be removed."""
    raise PermissionError(f"cannot remove {spec}")


def kind(
    name: str,
    run: Any,
    *,
    complete: Any = record,
    lost: Any = lost_unless_kept,
    cleaned: Any = clean_up,
) -> JobKind:
    """A JobKind named `tests.<name>`."""
    return JobKind(name=f"tests.{name}", run=run, complete=complete, lost=lost, clean_up=cleaned)


KINDS = {
    k.name: k
    for k in (
        kind("echo", echo),
        kind("refuse", refuse),
        kind("boom", boom),
        kind("sleep", sleep),
        kind("unrecordable", echo, complete=fail_to_record),
        kind("stuck", echo, cleaned=fail_to_clean_up),
    )
}
