"""results.json from graded fields: one test per field of the problem set, in its order, each
with the feedback and how the answer was read; and the results of a submission that could not
be graded, which say what to fix."""

from collections.abc import Mapping, Sequence

from app.gradescope.schemas import GradescopeResults, GradescopeTest, Visibility
from app.grading.result import FieldResult, Verdict
from app.problemsets.compiled import CompiledProblemSet

NOT_ANSWERED = "Not answered."
NOT_GRADED = "Not graded: the submission could not be read (see the message above)."


def graded(
    compiled: CompiledProblemSet,
    results: Sequence[FieldResult],
    *,
    visibility: Visibility,
    notes: Sequence[str] = (),
) -> GradescopeResults:
    """Every field's test, answered or not; the score is the sum of the fields' scores."""
    by_field = {result.field: result for result in results}
    tests = [
        _test(field_id, field.max_score, by_field.get(field_id), visibility)
        for field_id, field in compiled.fields.items()
    ]
    total = round(sum(result.score for result in results), 6)
    summary = f"{compiled.definition.title}: {total:g} of {compiled.max_total:g} points."
    return GradescopeResults(
        score=total,
        output="\n".join([summary, *notes]),
        visibility=visibility,
        tests=tests,
    )


def refused(
    message: str, compiled: CompiledProblemSet | None, *, visibility: Visibility
) -> GradescopeResults:
    """Score 0 and the message; every field's test at 0 when the problem set is known."""
    fields: Mapping[str, float] = (
        {} if compiled is None else {key: f.max_score for key, f in compiled.fields.items()}
    )
    tests = [
        GradescopeTest(
            name=field_id, score=0, max_score=max_score, status="failed", output=NOT_GRADED,
            visibility=visibility,
        )
        for field_id, max_score in fields.items()
    ]  # fmt: skip
    return GradescopeResults(score=0, output=message, visibility=visibility, tests=tests)


def _test(
    field_id: str, max_score: float, result: FieldResult | None, visibility: Visibility
) -> GradescopeTest:
    if result is None:
        return GradescopeTest(
            name=field_id, score=0, max_score=max_score, status="failed", output=NOT_ANSWERED,
            visibility=visibility,
        )  # fmt: skip
    return GradescopeTest(
        name=field_id,
        score=result.score,
        max_score=result.max_score,
        status="passed" if result.verdict == Verdict.CORRECT else "failed",
        output=_output(result),
        visibility=visibility,
    )


def _output(result: FieldResult) -> str:
    """The verdict and points, how the answer was read, then the feedback."""
    lines = [f"{result.verdict.value}: {result.score:g} of {result.max_score:g} points"]
    if result.parsed:
        lines.append(f"Read as: {result.parsed}")
    if result.feedback:
        lines.append(result.feedback)
    return "\n".join(lines)
