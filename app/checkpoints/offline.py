"""Evaluating a model file on this machine, with no database: screened as an upload is, copied
to a private file, then read (weights only), measured and graded in a sandboxed worker, exactly
as an upload's job runs it. Every refusal becomes an `invalid` result that says why."""

import io
import logging

from app.blobs.service import private_copy
from app.checkpoints.schemas import CheckpointCreate, EvaluationOutcome
from app.checkpoints.service import check_model, evaluation_target, summary, worker_spec
from app.checkpoints.worker import evaluate_upload
from app.config import Settings
from app.db.models import utcnow
from app.errors import DomainError
from app.grading.engine import invalid
from app.grading.result import FieldResult, Verdict
from app.problemsets.catalog import ProblemCatalog
from app.sandbox import SandboxError, SandboxTimeout, WorkerError, WorkerPool

log = logging.getLogger(__name__)

TOO_SLOW = "The model's evaluation took longer than {seconds:g} s and was stopped."
NOT_EVALUATED = "The model could not be evaluated here: {reason}"


class LocalEvaluator:
    """Grades model files of one problem set in a sandboxed evaluation worker."""

    def __init__(
        self, settings: Settings, catalog: ProblemCatalog, pool: WorkerPool, problem_set: str
    ) -> None:
        self.settings = settings
        self.catalog = catalog
        self.pool = pool
        self.problem_set = problem_set

    def grade(self, form: CheckpointCreate, data: bytes, filename: str) -> FieldResult:
        """The field's result for this model file; never raises for anything a student sends."""
        try:
            target = evaluation_target(
                self.catalog, self.problem_set, form.field, filename, when=utcnow()
            )
            check_model(self.settings, data, target)
        except DomainError as exc:
            return self.refused(form.field, exc.detail)
        with private_copy(io.BytesIO(data)) as path:
            # The worker reads only the extension of the name; the copy keeps the student's.
            spec = {**worker_spec(self.settings, target, form), "path": str(path)}
            return self._evaluated(form.field, spec)

    def _evaluated(self, field: str, spec: dict[str, object]) -> FieldResult:
        timeout = self.settings.evaluation_timeout_s
        try:
            outcome = self.pool.call(evaluate_upload, spec, timeout=timeout)
        except SandboxTimeout:
            return self.refused(field, TOO_SLOW.format(seconds=timeout))
        except WorkerError as failed:
            return self.refused(field, NOT_EVALUATED.format(reason=failed.message))
        except SandboxError as failed:
            log.error("the evaluation worker failed on %s: %s", field, failed)
            return self.refused(field, NOT_EVALUATED.format(reason="the worker stopped."))
        if "error" in outcome:
            return self.refused(field, str(outcome["error"]["detail"]))
        return self._result(field, EvaluationOutcome.model_validate(outcome), spec)

    def _result(
        self, field: str, outcome: EvaluationOutcome, spec: dict[str, object]
    ) -> FieldResult:
        max_score = self.catalog.compiled(self.problem_set).fields[field].max_score
        claims = spec["claims"]
        assert isinstance(claims, dict)
        return FieldResult(
            field=field,
            verdict=Verdict(outcome.grade.verdict),
            score=min(outcome.grade.score, max_score),
            max_score=max_score,
            feedback=outcome.grade.feedback,
            parsed=summary(outcome, claims),
        )

    def refused(self, field: str, message: str) -> FieldResult:
        """The field's result for a model that was refused, with why."""
        return invalid(self.catalog.compiled(self.problem_set).fields[field], message)
