"""Where one answer is graded: in this process, or in a sandboxed worker with a time limit.

The FieldRunner protocol is the seam for scale-out: a queue-backed runner fits behind it.
Each worker holds its own catalog; every call carries the fingerprint of the caller's, and a
worker whose catalog differs reloads its directory first, so a reload of the caller's catalog
reaches every worker. A worker compiles a variant when it is first asked to grade it: as the
call's preparation, before the answer's time limit starts, so neither a reload nor a first
compilation (SymPy loading with it) is ever charged to a student's answer.
"""

import logging
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Protocol, TypeVar

from app.grading.engine import AnswerPreview, grade_answer, invalid, preview_answer, unreadable
from app.grading.failures import ParseFailure
from app.grading.limits import ANSWER_TIME_LIMIT_S
from app.grading.messages import engine as messages
from app.grading.result import FieldResult
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.loader import ProblemFileError
from app.problemsets.memo import GradeMemo, MemoKey
from app.sandbox import SandboxError, SandboxTimeout, WorkerPool

log = logging.getLogger(__name__)

Outcome = TypeVar("Outcome", FieldResult, AnswerPreview)


class FieldRunner(Protocol):
    """Grades one answer of one field of a student's variant."""

    def run(self, problem_set: str, field_id: str, student: str | None, raw: object) -> FieldResult:
        """Grade the answer; never raises for anything a student can type."""
        ...

    def run_all(
        self, problem_set: str, student: str | None, answers: Sequence[tuple[str, object]]
    ) -> list[FieldResult]:
        """Grade several answers of one submission, in order."""
        ...

    def preview(
        self, problem_set: str, field_id: str, student: str | None, raw: object
    ) -> AnswerPreview:
        """Show how the answer reads, grading nothing; never raises for anything typed."""
        ...


class InProcessRunner:
    """Grades in the calling thread: for tests and trusted batch work."""

    def __init__(self, catalog: ProblemCatalog) -> None:
        self.catalog = catalog

    def run(self, problem_set: str, field_id: str, student: str | None, raw: object) -> FieldResult:
        """Grade the answer here."""
        field = self.catalog.compiled(problem_set, student).fields[field_id]
        return grade_answer(field, raw)

    def run_all(
        self, problem_set: str, student: str | None, answers: Sequence[tuple[str, object]]
    ) -> list[FieldResult]:
        """Grade the answers here, one after the other."""
        return [self.run(problem_set, field_id, student, raw) for field_id, raw in answers]

    def preview(
        self, problem_set: str, field_id: str, student: str | None, raw: object
    ) -> AnswerPreview:
        """Parse the answer here."""
        field = self.catalog.compiled(problem_set, student).fields[field_id]
        return preview_answer(field, raw)


class SandboxRunner:
    """Grades in worker processes; an answer that overruns its time limit is cut off."""

    def __init__(
        self,
        catalog: ProblemCatalog,
        *,
        workers: int = 1,
        timeout: float = ANSWER_TIME_LIMIT_S,
        pool: WorkerPool | None = None,
        memo: GradeMemo | None = None,
    ) -> None:
        self.catalog = catalog
        self.timeout = timeout
        self.pool = pool or grading_pool(catalog.directory, workers=workers)
        # None: every answer is graded (the commands' one-off grading has nothing to reuse).
        self.memo = memo

    def run(self, problem_set: str, field_id: str, student: str | None, raw: object) -> FieldResult:
        """Grade the answer in a worker, turning a timeout or crash into an invalid result."""
        refused = partial(self._invalid, problem_set, field_id, student)
        return self._answer(_grade_in_worker, refused, problem_set, field_id, student, raw)

    def run_all(
        self, problem_set: str, student: str | None, answers: Sequence[tuple[str, object]]
    ) -> list[FieldResult]:
        """Grade a submission: answers graded before come from the memo, the others from one
        worker call; if that overruns, answer by answer."""
        fingerprint = self.catalog.fingerprint
        keys = self._memo_keys(fingerprint, problem_set, student, answers)
        known = {
            index: grade
            for index, key in enumerate(keys)
            if key is not None and (grade := self._remembered(key)) is not None
        }
        missing = [index for index in range(len(answers)) if index not in known]
        if missing:
            chosen = [answers[index] for index in missing]
            graded, finished = self._grade_all(fingerprint, problem_set, student, chosen)
            for index, grade in zip(missing, graded, strict=True):
                known[index] = grade
                key = keys[index]
                # Only grades a worker finished: a cut-off answer says how busy the machine
                # was, not what the answer is worth.
                if finished and key is not None and self.memo is not None:
                    self.memo.put(key, grade)
        return [known[index] for index in range(len(answers))]

    def _remembered(self, key: MemoKey) -> FieldResult | None:
        return None if self.memo is None else self.memo.get(key)

    def _memo_keys(
        self,
        fingerprint: str,
        problem_set: str,
        student: str | None,
        answers: Sequence[tuple[str, object]],
    ) -> list[MemoKey | None]:
        """What each answer's grade depends on; None for what is not text of a known field."""
        if self.memo is None:
            return [None] * len(answers)
        variants = self.catalog.variant_keys(problem_set, student)
        return [
            MemoKey(fingerprint, problem_set, field_id, variants[field_id], raw)
            if isinstance(raw, str) and field_id in variants
            else None
            for field_id, raw in answers
        ]

    def _grade_all(
        self,
        fingerprint: str,
        problem_set: str,
        student: str | None,
        answers: list[tuple[str, object]],
    ) -> tuple[list[FieldResult], bool]:
        """The answers graded in one worker call, or one by one; whether that one call did."""
        # A whole submission normally takes milliseconds, so it gets one answer's time limit.
        # Only when that is exceeded (or a worker dies) is each answer graded under its own
        # limit, so that one hostile answer costs its own field and nothing else.
        try:
            graded: list[FieldResult] = self.pool.call(
                _grade_all_in_worker,
                fingerprint,
                problem_set,
                student,
                answers,
                timeout=self.timeout,
                prepare=partial(_prepare_in_worker, fingerprint, problem_set, student),
            )
        except SandboxError:
            return [
                self.run(problem_set, field_id, student, raw) for field_id, raw in answers
            ], False
        return graded, True

    def preview(
        self, problem_set: str, field_id: str, student: str | None, raw: object
    ) -> AnswerPreview:
        """Parse the answer in a worker, under the same time limit as grading."""
        refused = partial(self._unreadable, problem_set, field_id, student)
        return self._answer(_preview_in_worker, refused, problem_set, field_id, student, raw)

    def _answer(
        self,
        work: Callable[..., Outcome],
        refused: Callable[[str], Outcome],
        problem_set: str,
        field_id: str,
        student: str | None,
        raw: object,
    ) -> Outcome:
        """`work` on one answer in a worker; a timeout or a crash is `refused` with why."""
        fingerprint = self.catalog.fingerprint
        try:
            return self.pool.call(
                work,
                fingerprint,
                problem_set,
                field_id,
                student,
                raw,
                timeout=self.timeout,
                prepare=partial(_prepare_in_worker, fingerprint, problem_set, student),
            )
        except SandboxTimeout:
            return refused(messages.TOO_SLOW)
        except SandboxError:
            log.exception("worker failed on %s/%s (%s)", problem_set, field_id, work.__name__)
            return refused(messages.CHECK_FAILED)

    def close(self) -> None:
        """Stop the workers."""
        self.pool.close()

    def _invalid(
        self, problem_set: str, field_id: str, student: str | None, feedback: str
    ) -> FieldResult:
        field = self.catalog.compiled(problem_set, student).fields[field_id]
        return invalid(field, feedback)

    def _unreadable(
        self, problem_set: str, field_id: str, student: str | None, message: str
    ) -> AnswerPreview:
        field = self.catalog.compiled(problem_set, student).fields[field_id]
        return unreadable(field, ParseFailure(message))


def grading_pool(directory: Path, *, workers: int = 1) -> WorkerPool:
    """Start grading workers that load the problem sets in directory as they start (compiling
    none of them until asked to grade one)."""
    return WorkerPool(size=workers, initializer=partial(_load_catalog, directory))


_worker_catalog: ProblemCatalog | None = None
_worker_tried: str | None = None
"""The last fingerprint this worker reloaded for, so that files on disk that differ from the
caller's catalog (edited, not yet reloaded there) are read once, not on every call."""


def _load_catalog(directory: Path) -> None:
    """Worker start-up: read the problem files; each variant is compiled when first graded."""
    global _worker_catalog
    _worker_catalog = ProblemCatalog(directory)


def _catalog(fingerprint: str) -> ProblemCatalog:
    """This worker's catalog, reloaded first when it differs from the caller's."""
    global _worker_tried
    assert _worker_catalog is not None, "worker started without its catalog"
    if _worker_catalog.fingerprint != fingerprint and _worker_tried != fingerprint:
        _worker_tried = fingerprint
        try:
            _worker_catalog.reload()
        except ProblemFileError:
            # The caller checked its files when it loaded them; these were broken since.
            log.exception("a worker kept its problem sets: the files changed again")
    return _worker_catalog


def _prepare_in_worker(fingerprint: str, problem_set: str, student: str | None) -> None:
    """Before the time limit: follow the caller's catalog and compile the variant to grade."""
    _catalog(fingerprint).compiled(problem_set, student)


def _grade_in_worker(
    fingerprint: str, problem_set: str, field_id: str, student: str | None, raw: object
) -> FieldResult:
    return InProcessRunner(_catalog(fingerprint)).run(problem_set, field_id, student, raw)


def _grade_all_in_worker(
    fingerprint: str, problem_set: str, student: str | None, answers: list[tuple[str, object]]
) -> list[FieldResult]:
    return InProcessRunner(_catalog(fingerprint)).run_all(problem_set, student, answers)


def _preview_in_worker(
    fingerprint: str, problem_set: str, field_id: str, student: str | None, raw: object
) -> AnswerPreview:
    return InProcessRunner(_catalog(fingerprint)).preview(problem_set, field_id, student, raw)
