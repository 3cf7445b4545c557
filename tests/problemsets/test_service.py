"""Public views of problem sets and previews of answers: what they show and what they never do."""

import json
from collections.abc import Iterator

import pytest

from app.db.models import Role, User
from app.errors import AnswerTooLong, TooManyAnswers, UnknownField, UnknownProblemSet
from app.grading.messages import engine as messages
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.runner import InProcessRunner, SandboxRunner
from app.problemsets.schema import ExpressionSpec, Reference
from app.problemsets.service import list_problem_sets, preview, problem_set_view, variant_of
from app.sandbox import SandboxError, SandboxTimeout
from app.sandbox.errors import SandboxCrashed, WorkerError

STUDENT = User(id="5d1c0ffe-0000-4000-8000-000000000001", name="s", role=Role.STUDENT.value)
INSTRUCTOR = User(id="5d1c0ffe-0000-4000-8000-000000000002", name="i", role=Role.INSTRUCTOR.value)


@pytest.fixture(scope="module")
def catalog() -> ProblemCatalog:
    return ProblemCatalog()


@pytest.fixture(scope="module")
def runner(catalog: ProblemCatalog) -> InProcessRunner:
    return InProcessRunner(catalog)


def test_variant_of() -> None:
    assert variant_of(STUDENT) == STUDENT.id
    assert variant_of(INSTRUCTOR) is None


def test_the_list_sizes_each_problem_set(catalog: ProblemCatalog) -> None:
    summaries = {summary.id: summary for summary in list_problem_sets(catalog)}
    assert list(summaries) == ["dl-ex1", "eecs182-hw5"]
    hw5 = summaries["eecs182-hw5"]
    assert (hw5.points, hw5.field_count) == (100, len(catalog.compiled("eecs182-hw5").fields))
    assert hw5.policy.score == "latest"
    assert hw5.policy.due is None


def secrets_of(catalog: ProblemCatalog, problem_set: str) -> Iterator[str]:
    """Text that must never reach a student: references, mistakes, choice labels, ranges."""
    definition = catalog.definition(problem_set)
    for question in definition.questions:
        for field in question.fields:
            for mistake in field.mistakes:
                yield mistake.name
                yield mistake.feedback
                yield from _reference_text(mistake.reference)
            if field.reference is not None:
                yield from _reference_text(field.reference)
            for spellings in getattr(field.answer, "labels", {}).values():
                yield from spellings
    for parameter in definition.parameters.values():
        if parameter.range is not None:
            yield json.dumps(list(parameter.range))
        if parameter.choices is not None:
            yield json.dumps(parameter.choices)


def _reference_text(reference: Reference) -> Iterator[str]:
    # Expressions are left out: short ones such as `0` or `w` appear in any statement.
    for text in (reference.call, reference.quantity):
        if text is not None:
            yield text


@pytest.mark.parametrize("problem_set", ["dl-ex1", "eecs182-hw5"])
@pytest.mark.parametrize("user", [STUDENT, INSTRUCTOR], ids=["student", "instructor"])
def test_the_view_shows_no_answer(catalog: ProblemCatalog, problem_set: str, user: User) -> None:
    shown = problem_set_view(catalog, problem_set, user).model_dump_json()
    # One- and two-letter names (`Y`, `w`) occur in any statement; longer ones must not.
    secrets = [secret for secret in secrets_of(catalog, problem_set) if len(secret) > 2]
    leaks = [secret for secret in secrets if secret in shown]
    assert leaks == []
    assert "reference" not in shown
    assert "mistake" not in shown


def test_the_secrets_check_would_see_a_leak(catalog: ProblemCatalog) -> None:
    secrets = list(secrets_of(catalog, "dl-ex1"))
    assert "dense.weight_shape" in secrets
    assert "dgamma" in secrets
    assert any("column convention" in secret for secret in secrets)
    assert "[5, 20]" in secrets


def test_a_student_sees_their_own_numbers_and_an_instructor_the_published(
    catalog: ProblemCatalog,
) -> None:
    own = catalog.compiled("dl-ex1", STUDENT.id).parameters
    student_prompt = problem_set_view(catalog, "dl-ex1", STUDENT).questions[0].prompt
    instructor_prompt = problem_set_view(catalog, "dl-ex1", INSTRUCTOR).questions[0].prompt
    assert f"each with {own['n_in']} input features" in student_prompt
    assert f"a hidden\nlayer of {own['n_hidden']} neurons" in student_prompt
    assert "each with 10 input features" in instructor_prompt
    assert "{{" not in student_prompt + instructor_prompt


def test_forms_carry_what_an_answer_box_needs(catalog: ProblemCatalog) -> None:
    view = problem_set_view(catalog, "eecs182-hw5", STUDENT)
    forms = {field.id: field.answer for question in view.questions for field in question.fields}
    assert forms["q2.a.batchnorm"].model_dump() == {"type": "choice", "options": ["A", "B", "C"]}
    assert forms["q6.a"].model_dump()["nodes"] == ["X", "gamma", "beta", "mu", "sigma^2", "Z", "Y"]
    assert forms["q1.b"].model_dump() == {"type": "vector"}
    definition = catalog.definition("eecs182-hw5")
    spec = next(
        field.answer
        for question in definition.questions
        for field in question.fields
        if field.id == "q2.b.grad"
    )
    assert isinstance(spec, ExpressionSpec)
    symbols = [symbol["latex"] for symbol in forms["q2.b.grad"].model_dump()["symbols"]]
    assert symbols == [definition.symbols[name].latex for name in spec.symbols]
    points = [field.points for question in view.questions for field in question.fields]
    assert sum(points) == view.points == 100


def test_a_declared_scale_is_among_the_symbols_an_answer_may_use(
    catalog: ProblemCatalog,
) -> None:
    definition = catalog.definition("eecs182-hw5")
    scaled = {
        field.id: field.answer
        for question in definition.questions
        for field in question.fields
        if isinstance(field.answer, ExpressionSpec) and field.answer.scales
    }
    assert scaled, "a field of eecs182-hw5 declares a scale"
    view = problem_set_view(catalog, "eecs182-hw5", STUDENT)
    forms = {field.id: field.answer for question in view.questions for field in question.fields}
    for field_id, spec in scaled.items():
        shown = {symbol["latex"] for symbol in forms[field_id].model_dump()["symbols"]}
        assert {definition.symbols[name].latex for name in spec.scales} <= shown


def test_an_upload_field_says_so(catalog: ProblemCatalog) -> None:
    view = problem_set_view(catalog, "dl-ex1", STUDENT)
    uploads = [
        field.answer.model_dump()
        for question in view.questions
        for field in question.fields
        if field.answer.type == "checkpoint"
    ]
    assert uploads and all(form["dataset"] for form in uploads)


def test_an_unknown_problem_set(catalog: ProblemCatalog) -> None:
    with pytest.raises(UnknownProblemSet):
        problem_set_view(catalog, "nope", STUDENT)


# -- previews ---------------------------------------------------------------------------------

PREVIEWS = [
    # field, answer, status, parsed or message fragment, position
    ("q1.b", "[2, -1, 3]", "parsed", r"\begin{bmatrix} 2 \\ -1 \\ 3 \end{bmatrix}", None),
    ("q1.b", "[3, -1, 2]", "parsed", r"\begin{bmatrix} 3 \\ -1 \\ 2 \end{bmatrix}", None),
    ("q1.b", "[2, -1", "invalid", "brackets", 0),
    ("q2.a.batchnorm", "A", "parsed", r"\text{A}", None),
    ("q2.a.batchnorm", "B", "parsed", r"\text{B}", None),
    ("q2.a.batchnorm", "Z", "invalid", "A, B", None),
    ("q3.a", "__import__('os')", "invalid", "", None),
    ("q3.a", "().__class__", "invalid", "", None),
    ("q3.a", "9^9^9", "invalid", "", None),
    ("q3.a", "", "invalid", "empty", None),
    ("q3.a", "\u202e108", "invalid", "", None),
]


@pytest.mark.parametrize(("field", "answer", "status", "shown", "position"), PREVIEWS)
def test_a_preview_shows_how_an_answer_reads(
    catalog: ProblemCatalog,
    runner: InProcessRunner,
    field: str,
    answer: str,
    status: str,
    shown: str,
    position: int | None,
) -> None:
    (result,) = preview(catalog, runner, "eecs182-hw5", {field: answer}, STUDENT).fields
    assert (result.field, result.status) == (field, status)
    if status == "parsed":
        assert (result.parsed, result.message, result.position) == (shown, None, None)
    else:
        assert result.parsed is None
        assert result.message and shown in result.message
        if position is not None:
            assert result.position == position


def test_a_preview_says_nothing_of_correctness(
    catalog: ProblemCatalog, runner: InProcessRunner
) -> None:
    right = preview(catalog, runner, "eecs182-hw5", {"q2.a.batchnorm": "A"}, STUDENT)
    wrong = preview(catalog, runner, "eecs182-hw5", {"q2.a.batchnorm": "B"}, STUDENT)
    assert right.fields[0].model_dump().keys() == wrong.fields[0].model_dump().keys()
    assert {"verdict", "score", "feedback"}.isdisjoint(right.fields[0].model_dump())
    assert right.fields[0].status == wrong.fields[0].status == "parsed"


def test_a_preview_follows_the_field_order(
    catalog: ProblemCatalog, runner: InProcessRunner
) -> None:
    answers = {"q3.a": "108", "q1.b": "[2, -1, 3]", "q2.a.batchnorm": "A"}
    result = preview(catalog, runner, "eecs182-hw5", answers, STUDENT)
    assert [field.field for field in result.fields] == ["q1.b", "q2.a.batchnorm", "q3.a"]


def test_an_upload_field_cannot_be_previewed_as_text(
    catalog: ProblemCatalog, runner: InProcessRunner
) -> None:
    upload = next(
        field_id for field_id, field in catalog.compiled("dl-ex1").fields.items() if field.is_upload
    )
    (result,) = preview(catalog, runner, "dl-ex1", {upload: "model.pt"}, STUDENT).fields
    assert (result.status, result.message) == ("invalid", messages.UPLOAD_ONLY)


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ({"q99": "1"}, UnknownField),
        ({"q3.a": "1" * 2_001}, AnswerTooLong),
        ({f"q{index}": "1" for index in range(10_000)}, TooManyAnswers),
    ],
)
def test_a_preview_is_validated_like_a_submission(
    catalog: ProblemCatalog,
    runner: InProcessRunner,
    answers: dict[str, str],
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        preview(catalog, runner, "eecs182-hw5", answers, STUDENT)


@pytest.fixture(scope="module")
def sandbox(catalog: ProblemCatalog) -> Iterator[SandboxRunner]:
    sandboxed = SandboxRunner(catalog, workers=1)
    yield sandboxed
    sandboxed.close()


def test_a_preview_in_the_sandbox_reads_like_one_in_process(
    catalog: ProblemCatalog, runner: InProcessRunner, sandbox: SandboxRunner
) -> None:
    answers = {field: answer for field, answer, *_ in PREVIEWS}
    sandboxed = preview(catalog, sandbox, "eecs182-hw5", answers, STUDENT)
    assert sandboxed == preview(catalog, runner, "eecs182-hw5", answers, STUDENT)


class FailingPool:
    """Stands in for the worker pool: every call fails the way a real worker can."""

    def __init__(self, error: SandboxError) -> None:
        self.error = error

    def call(self, *args: object, **kwargs: object) -> object:
        raise self.error


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (SandboxTimeout("slow"), messages.TOO_SLOW),
        (SandboxCrashed("died"), messages.CHECK_FAILED),
        (WorkerError("MemoryError", ""), messages.CHECK_FAILED),
    ],
)
def test_a_worker_failure_makes_a_preview_invalid(
    catalog: ProblemCatalog,
    sandbox: SandboxRunner,
    monkeypatch: pytest.MonkeyPatch,
    error: SandboxError,
    message: str,
) -> None:
    monkeypatch.setattr(sandbox, "pool", FailingPool(error))
    (result,) = preview(catalog, sandbox, "eecs182-hw5", {"q3.a": "108"}, STUDENT).fields
    assert (result.field, result.status, result.message) == ("q3.a", "invalid", message)
    assert result.parsed is None
