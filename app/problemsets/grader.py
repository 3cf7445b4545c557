"""Grade a whole submission: check it as a whole first, then grade each answer."""

from collections.abc import Mapping
from typing import TYPE_CHECKING

from app.errors import AnswerTooLong, InvalidSubmission, TooManyAnswers, UnknownField
from app.grading.limits import MAX_ANSWER_CHARS
from app.grading.result import SubmissionResult
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.outline import ProblemSetOutline
from app.problemsets.runner import FieldRunner
from app.untrusted import shown

if TYPE_CHECKING:
    from app.problemsets.compiled import CompiledProblemSet


class SubmissionGrader:
    """Validates submissions and grades their answers with a FieldRunner."""

    def __init__(self, catalog: ProblemCatalog, runner: FieldRunner) -> None:
        self.catalog = catalog
        self.runner = runner

    def grade(
        self, problem_set: str, answers: Mapping[str, object], *, student: str | None = None
    ) -> SubmissionResult:
        """Grade the answers given (all fields or some), in the problem set's field order."""
        # The outline, not the variant: a runner that grades in workers compiles it there.
        outlined = self.catalog.outline(problem_set)
        check_answers(outlined, answers)
        ordered = [
            (field_id, answers[field_id]) for field_id in outlined.fields if field_id in answers
        ]
        results = self.runner.run_all(problem_set, student, ordered)
        return SubmissionResult(
            problem_set=problem_set,
            total=round(sum(result.score for result in results), 6),
            max_total=outlined.max_total,
            fields=results,
        )


def check_answers(
    compiled: "CompiledProblemSet | ProblemSetOutline", answers: Mapping[str, object]
) -> None:
    """Refuse a submission that cannot be graded as a whole, before anything is graded."""
    if len(answers) > len(compiled.fields):
        raise TooManyAnswers(
            f"The submission has {len(answers)} answers; this problem set has "
            f"{len(compiled.fields)} fields."
        )
    unknown = sorted(field_id for field_id in answers if field_id not in compiled.fields)
    if unknown:
        raise UnknownField(
            f"Unknown field ids: {', '.join(map(shown, unknown))}. "
            f"The fields of {compiled.definition.id} "
            f"are: {', '.join(compiled.fields)}.",
            fields=unknown,
        )
    not_text = sorted(field_id for field_id, raw in answers.items() if not isinstance(raw, str))
    if not_text:
        raise InvalidSubmission("Each answer must be a string.", fields=not_text)
    too_long = sorted(
        field_id for field_id, raw in answers.items() if len(str(raw)) > MAX_ANSWER_CHARS
    )
    if too_long:
        raise AnswerTooLong(
            f"Answers may be at most {MAX_ANSWER_CHARS} characters.", fields=too_long
        )
