"""One import's chunks of rows: each prepared, graded on the grading workers, and stored in
one transaction, leaving alone whatever is already stored under the same keys."""

import io
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.batches import repository
from app.batches.keys import model_key, text_key
from app.batches.parse import read_model
from app.batches.repository import Known
from app.batches.rows import Added, ModelPart, Work, count
from app.batches.students import Matched
from app.batches.tally import Tally
from app.checkpoints.schemas import CheckpointCreate
from app.checkpoints.service import add_evaluation, check_model, evaluation_target, store_model
from app.db.models import Submission, new_id
from app.errors import DomainError
from app.grading.result import SubmissionResult
from app.jobs.protocol import UnitOfWork
from app.problemsets.service import variant_of
from app.rules import service as rules
from app.services import Services
from app.submissions import policy
from app.submissions.service import provenance_of, record
from app.untrusted import shown

STORE_ATTEMPTS = 3
"""Tries at storing a chunk while another import stores the same rows."""


class Batch:
    """One import's chunks: each prepared, graded, and stored in one transaction."""

    def __init__(
        self, services: Services, units: UnitOfWork, problem_set: str, path: Path, now: datetime
    ) -> None:
        self.services = services
        self.units = units
        self.problem_set = problem_set
        self.path = path
        self.now = now
        self.rules = services.catalog.definition(problem_set).policy

    def import_chunk(
        self, pool: ThreadPoolExecutor, chunk: list[Matched], tally: Tally
    ) -> list[str]:
        """Grade and store a chunk of rows; the ids of the evaluation jobs it created."""
        with self.units() as session:
            known = self._known(session, chunk)
        works = [self._prepare(matched, known) for matched in chunk]
        for work in works:
            self._keep_models(work, known)
        # The grader sends each row to a sandboxed worker process: threads run them at once.
        list(pool.map(self._grade, works))
        return count(works, self._store(works), tally)

    def _known(self, session: Session, chunk: Sequence[Matched]) -> Known:
        return repository.known_keys(session, self.problem_set, {m.user.id for m in chunk})

    def _prepare(self, matched: Matched, known: Known) -> Work:
        """Lateness and keys; the text answers are graded only when their key is new."""
        row = matched.row
        when = row.submitted_at or self.now
        try:
            late = policy.lateness(self.rules, self.problem_set, when)
        except DomainError as exc:
            return Work(matched, when, policy.ON_TIME, problem=exc.detail)
        work = Work(matched, when, late)
        if row.answers:
            # Work imported before on the published numbers (its student was created by that
            # import) is the same work now that the student is known.
            flags = dict.fromkeys((matched.published, True))
            work.keys = tuple(
                text_key(self.problem_set, work.user_id, row, published=flag) for flag in flags
            )
            work.text_new = not any((work.user_id, key) in known for key in work.keys)
        return work

    def _keep_models(self, work: Work, known: Known) -> None:
        """Read and screen each new model of the row; one refusal fails the whole row."""
        for field_id, name in sorted(work.matched.row.models.items()):
            if work.problem is not None:
                return
            try:
                self._keep_model(work, field_id, name, known)
            except DomainError as exc:
                work.problem = f"{field_id} ({shown(name)}): {exc.detail}"
                work.models = []

    def _keep_model(self, work: Work, field_id: str, name: str, known: Known) -> None:
        settings = self.services.settings
        data = read_model(self.path, name, max_bytes=settings.max_checkpoint_bytes)
        key = model_key(self.problem_set, work.user_id, work.matched.row, field_id, data)
        if (work.user_id, key) in known:
            return
        target = evaluation_target(
            self.services.catalog, self.problem_set, field_id, name, when=work.when
        )
        check_model(settings, data, target)
        # Its blob is written with its job, in the chunk's transaction: not held meanwhile.
        work.models.append(ModelPart(key, target, name, new_id()))

    def _grade(self, work: Work) -> None:
        """Grade the row's text answers, when they are new and the row is still good."""
        if work.problem is not None or not work.text_new:
            return
        matched = work.matched
        student = None if matched.published else variant_of(matched.user)
        try:
            work.result = self.services.grader.grade(
                self.problem_set, matched.row.answers, student=student
            )
        except DomainError as exc:
            work.problem = exc.detail

    def _store(self, works: list[Work]) -> list[Added]:
        """Store the chunk in one transaction; what another import stored meanwhile is left."""
        for attempt in range(STORE_ATTEMPTS):
            try:
                with self.units() as session:
                    known = self._known(session, [work.matched for work in works])
                    added = [self._add(session, work, known) for work in works]
                    # One flush for the chunk's submissions: batched INSERTs, not one per row.
                    repository.add_submissions(
                        session, [new.submission for new in added if new.submission is not None]
                    )
                return added
            except IntegrityError:
                # Two imports raced for the same rows: the next look finds the other's keys.
                if attempt == STORE_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _add(self, session: Session, work: Work, known: Known) -> Added:
        if work.problem is not None:
            return Added()
        submission = None
        if work.result is not None and not any((work.user_id, k) in known for k in work.keys):
            result = rules.applied(session, self.problem_set, work.result)
            submission = self._submission(work, result)
            known.add((work.user_id, work.keys[0]))
        job_ids: list[str] = []
        for part in work.models:
            if (work.user_id, part.key) not in known:
                self._add_model(session, work, part)
                known.add((work.user_id, part.key))
                job_ids.append(part.job_id)
        return Added(submission, tuple(job_ids))

    def _submission(self, work: Work, result: SubmissionResult) -> Submission:
        matched = work.matched
        return record(
            result,
            matched.row.answers,
            user=matched.user,
            late=work.late,
            provenance=provenance_of(self.services, self.problem_set, work.when),
            batch_key=work.keys[0],
            published=matched.published,
        )

    def _add_model(self, session: Session, work: Work, part: ModelPart) -> None:
        # No options are declared and nothing is claimed: the evaluation infers what it can.
        settings = self.services.settings
        form = CheckpointCreate(field=part.target.field)
        data = read_model(self.path, part.name, max_bytes=settings.max_checkpoint_bytes)
        user = work.matched.user
        stored = store_model(
            settings, session, user, io.BytesIO(data), part.target, job_id=part.job_id
        )
        add_evaluation(settings, session, user, part.target, form, stored, batch_key=part.key)
