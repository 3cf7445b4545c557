"""One good row on its way to the database, and how a chunk's rows are counted once stored."""

from dataclasses import dataclass, field
from datetime import datetime

from app.batches.students import Matched
from app.batches.tally import Tally, bad_row
from app.checkpoints.service import EvaluationTarget
from app.db.models import Submission
from app.grading.result import SubmissionResult
from app.submissions.policy import Lateness


@dataclass(frozen=True, slots=True)
class ModelPart:
    """A model file of a row, checked, and stored with the job that will evaluate it."""

    key: str
    target: EvaluationTarget
    name: str
    """The file's name as the row gives it."""
    job_id: str


@dataclass(slots=True)
class Work:
    """One good row on its way to the database: its keys, and the parts of it that are new."""

    matched: Matched
    when: datetime
    late: Lateness
    keys: tuple[str, ...] = ()
    """The text answers' key, then the key they have when graded on the published numbers."""
    text_new: bool = False
    result: SubmissionResult | None = None
    models: list[ModelPart] = field(default_factory=list)
    problem: str | None = None
    """Why the row is bad, once it is."""

    @property
    def user_id(self) -> str:
        """The row's student."""
        return self.matched.user.id


@dataclass(frozen=True, slots=True)
class Added:
    """What a row adds to the database: its text answers' submission, and evaluation jobs."""

    submission: Submission | None = None
    job_ids: tuple[str, ...] = ()


def count(works: list[Work], added: list[Added], tally: Tally) -> list[str]:
    """Count each row once: failed, stored (anything new) or unchanged; the new job ids."""
    job_ids: list[str] = []
    for work, new in zip(works, added, strict=True):
        if work.problem is not None:
            tally.fail(bad_row(work.matched.row, work.problem))
        elif new.submission is not None or new.job_ids:
            tally.stored += 1
        else:
            tally.unchanged += 1
        job_ids.extend(new.job_ids)
    tally.evaluations.extend(job_ids)
    return job_ids
