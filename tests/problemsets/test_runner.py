"""Hostile answers through the sandboxed runner: every one is `invalid`, in bounded time; the
workers follow a reload of the caller's catalog."""

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.grading.limits import ANSWER_TIME_LIMIT_S
from app.grading.messages import engine as messages
from app.grading.result import Verdict
from app.problemsets import runner as runner_module
from app.problemsets.catalog import DEFAULT_DIRECTORY, ProblemCatalog
from app.problemsets.memo import GradeMemo
from app.problemsets.runner import InProcessRunner, SandboxRunner, grading_pool
from app.sandbox import SandboxCrashed, SandboxError, SandboxTimeout, WorkerError
from tests.bounds import NO_HANG_S

# One field of every answer type.
FIELDS = [
    ("dl-ex1", "q1.a"),  # shape
    ("dl-ex1", "q1.e"),  # matrix expression
    ("dl-ex1", "q2.layer1"),  # number
    ("dl-ex1", "q3.f"),  # expression
    ("eecs182-hw5", "q1.b"),  # vector
    ("eecs182-hw5", "q1.c"),  # matrix
    ("eecs182-hw5", "q2.a.batchnorm"),  # choice
    ("eecs182-hw5", "q6.a"),  # edges
]

HOSTILE = [
    "__import__('os').system('touch /tmp/dlgrade-pwned')",
    "exec('import os')",
    "eval('1')",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "lambda: 0",
    "[c for c in ()]",
    "open('/etc/passwd').read()",
    "9^9^9^9",
    "10**10**10",
    "2^(2^(2^(2^(2^99))))",
    "(" * 1_000,
    "[" * 1_000 + "]" * 1_000,
    r"\frac{" * 300,
    r"\sqrt{" * 300 + "}" * 300,
    "x" * 1_000_000,
    "1" * 100_000,
    "nan",
    "inf",
    "-inf",
    "1e999",
    r"\infty",
    "NaN, NaN, NaN",
    "a\x00b",
    "\u202e01",
    r"\input{/etc/passwd}",
    r"\def\x{1}\x",
    "${7*7}",
    "%s%s%s%n",
]


@pytest.fixture(scope="module")
def runner() -> Iterator[SandboxRunner]:
    sandboxed = SandboxRunner(ProblemCatalog())
    yield sandboxed
    sandboxed.close()


@pytest.mark.parametrize(("problem_set", "field"), FIELDS)
@pytest.mark.parametrize("answer", HOSTILE, ids=lambda text: repr(text[:24]))
def test_hostile_answers_are_invalid_in_bounded_time(
    runner: SandboxRunner, problem_set: str, field: str, answer: str
) -> None:
    start = time.perf_counter()
    result = runner.run(problem_set, field, None, answer)
    elapsed = time.perf_counter() - start
    assert result.verdict == Verdict.INVALID, result
    assert result.score == 0
    assert result.feedback
    assert elapsed < ANSWER_TIME_LIMIT_S + NO_HANG_S


class FailingPool:
    """Stands in for the worker pool: every call fails the way a real worker can."""

    def __init__(self, error: SandboxError) -> None:
        self.error = error

    def call(self, *args: object, **kwargs: object) -> object:
        raise self.error

    def close(self) -> None:
        pass


@pytest.mark.parametrize(
    ("error", "feedback"),
    [
        (SandboxTimeout("slow"), messages.TOO_SLOW),
        (SandboxCrashed("died"), messages.CHECK_FAILED),
        (WorkerError("MemoryError", ""), messages.CHECK_FAILED),
    ],
)
def test_a_worker_failure_costs_one_field(
    runner: SandboxRunner,
    monkeypatch: pytest.MonkeyPatch,
    error: SandboxError,
    feedback: str,
) -> None:
    monkeypatch.setattr(runner, "pool", FailingPool(error))
    result = runner.run("dl-ex1", "q3.f", None, r"\gamma")
    assert (result.verdict, result.feedback, result.score) == (Verdict.INVALID, feedback, 0)
    assert result.max_score == runner.catalog.compiled("dl-ex1").fields["q3.f"].max_score


def test_sandboxed_and_in_process_results_agree(runner: SandboxRunner) -> None:
    in_process = InProcessRunner(runner.catalog)
    for problem_set, field in FIELDS:
        for answer in ("m x 10", "[2, -1, 3]", "A", "X->mu", r"\gamma"):
            assert runner.run(problem_set, field, None, answer) == in_process.run(
                problem_set, field, None, answer
            )


ANSWERS = [
    ("q1.a", "m x 10"),
    ("q2.layer1", "2700"),
    ("q3.c", r"\gamma \frac{\partial f}{\partial y_i}"),
]


def test_a_submission_is_graded_in_one_call_like_field_by_field(runner: SandboxRunner) -> None:
    together = runner.run_all("dl-ex1", None, ANSWERS)
    one_by_one = [runner.run("dl-ex1", field, None, raw) for field, raw in ANSWERS]
    assert together == one_by_one
    assert [result.field for result in together] == [field for field, _ in ANSWERS]


class BatchTimesOut:
    """The real pool, except that a whole-submission call overruns."""

    def __init__(self, pool: object) -> None:
        self.pool = pool
        self.single_calls = 0

    def call(self, function: object, *args: object, **kwargs: object) -> object:
        if getattr(function, "__name__", "") == "_grade_all_in_worker":
            raise SandboxTimeout("slow")
        self.single_calls += 1
        return self.pool.call(function, *args, **kwargs)  # type: ignore[attr-defined]

    def close(self) -> None:
        pass


def test_an_overrunning_submission_is_regraded_answer_by_answer(
    runner: SandboxRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = [runner.run("dl-ex1", field, None, raw) for field, raw in ANSWERS]
    stand_in = BatchTimesOut(runner.pool)
    monkeypatch.setattr(runner, "pool", stand_in)
    assert runner.run_all("dl-ex1", None, ANSWERS) == expected
    assert stand_in.single_calls == len(ANSWERS)


# -- the workers follow a reload of the caller's catalog ---------------------------------------

TRANSPOSED = ("q1.b.W_h", "50 x 10")
LOOSER_CREDIT = ("            credit: 0.5\n", "            credit: 0.75\n")


def copied_problems(directory: Path) -> Path:
    for path in DEFAULT_DIRECTORY.glob("*.yaml"):
        shutil.copy(path, directory)
    return directory


def loosen(directory: Path) -> None:
    path = directory / "dl-ex1.yaml"
    text = path.read_text(encoding="utf-8")
    assert LOOSER_CREDIT[0] in text
    path.write_text(text.replace(*LOOSER_CREDIT, 1), encoding="utf-8")


def test_workers_grade_with_the_reloaded_files(tmp_path: Path) -> None:
    catalog = ProblemCatalog(copied_problems(tmp_path))
    sandboxed = SandboxRunner(catalog, workers=2)
    try:
        field, answer = TRANSPOSED
        max_score = catalog.compiled("dl-ex1").fields[field].max_score
        assert sandboxed.run("dl-ex1", field, None, answer).score == pytest.approx(0.5 * max_score)
        loosen(tmp_path)
        # Until the caller's catalog is reloaded, the workers keep grading as it does.
        assert sandboxed.run("dl-ex1", field, None, answer).score == pytest.approx(0.5 * max_score)
        assert catalog.reload()
        expected = InProcessRunner(catalog).run("dl-ex1", field, None, answer)
        assert expected.score == pytest.approx(0.75 * max_score)
        # Enough calls that each of the two workers answers some of them.
        for _ in range(6):
            assert sandboxed.run("dl-ex1", field, None, answer) == expected
            assert sandboxed.run_all("dl-ex1", None, [TRANSPOSED]) == [expected]
            preview = sandboxed.preview("dl-ex1", field, None, answer)
            assert preview == InProcessRunner(catalog).preview("dl-ex1", field, None, answer)
    finally:
        sandboxed.close()


class CountingCatalog(ProblemCatalog):
    """A catalog that counts its reloads."""

    reloads = 0

    def reload(self) -> bool:
        self.reloads += 1
        return super().reload()


@pytest.fixture
def worker_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CountingCatalog:
    """This process standing in for a worker, with its own catalog of a copy of the files."""
    catalog = CountingCatalog(copied_problems(tmp_path))
    monkeypatch.setattr(runner_module, "_worker_catalog", catalog)
    monkeypatch.setattr(runner_module, "_worker_tried", None)
    return catalog


def test_a_pool_started_before_the_catalog_grades_with_its_directory(tmp_path: Path) -> None:
    loosen(copied_problems(tmp_path))
    pool = grading_pool(tmp_path)
    try:
        catalog = ProblemCatalog(tmp_path)
        field, answer = TRANSPOSED
        max_score = catalog.compiled("dl-ex1").fields[field].max_score
        result = SandboxRunner(catalog, pool=pool).run("dl-ex1", field, None, answer)
        assert result.score == pytest.approx(0.75 * max_score)
    finally:
        pool.close()


def test_a_worker_does_not_reload_while_the_fingerprints_agree(
    worker_catalog: CountingCatalog,
) -> None:
    for _ in range(3):
        assert runner_module._catalog(worker_catalog.fingerprint) is worker_catalog
    assert worker_catalog.reloads == 0


def test_a_worker_reloads_once_for_a_new_fingerprint(
    worker_catalog: CountingCatalog, tmp_path: Path
) -> None:
    loosen(tmp_path)
    caller = ProblemCatalog(tmp_path)
    for _ in range(3):
        assert runner_module._catalog(caller.fingerprint).fingerprint == caller.fingerprint
    assert worker_catalog.reloads == 1


def test_files_that_differ_from_the_callers_are_read_once_per_fingerprint(
    worker_catalog: CountingCatalog, tmp_path: Path
) -> None:
    caller = worker_catalog.fingerprint
    loosen(tmp_path)  # edited on disk, not (yet) reloaded by the caller
    runner_module._catalog("f" * 64)
    for _ in range(3):
        runner_module._catalog("e" * 64)
    assert worker_catalog.reloads == 2
    assert worker_catalog.fingerprint not in (caller, "f" * 64, "e" * 64)


def test_a_worker_keeps_its_problem_sets_when_the_files_broke_since(
    worker_catalog: CountingCatalog, tmp_path: Path
) -> None:
    before = worker_catalog.fingerprint
    (tmp_path / "dl-ex1.yaml").write_text("questions: [", encoding="utf-8")
    field, answer = TRANSPOSED
    catalog = runner_module._catalog("f" * 64)
    assert catalog.fingerprint == before
    assert InProcessRunner(catalog).run("dl-ex1", field, None, answer).score > 0


# -- the grade memo: answers graded before are not sent to a worker again ---------------------


class CountingPool:
    """The real pool, counting the answers sent to it."""

    def __init__(self, pool: object) -> None:
        self.pool = pool
        self.answers_sent = 0

    def call(self, function: object, *args: object, **kwargs: object) -> object:
        sent = args[-1] if getattr(function, "__name__", "") == "_grade_all_in_worker" else [None]
        self.answers_sent += len(sent)  # type: ignore[arg-type]
        return self.pool.call(function, *args, **kwargs)  # type: ignore[attr-defined]

    def close(self) -> None:
        self.pool.close()  # type: ignore[attr-defined]


@pytest.fixture
def remembering(tmp_path: Path) -> Iterator[tuple[SandboxRunner, CountingPool]]:
    catalog = ProblemCatalog(copied_problems(tmp_path))
    pool = CountingPool(grading_pool(tmp_path, workers=1))
    sandboxed = SandboxRunner(catalog, pool=pool, memo=GradeMemo())  # type: ignore[arg-type]
    yield sandboxed, pool
    sandboxed.close()


def test_a_repeated_submission_is_graded_from_the_memo_alike(
    remembering: tuple[SandboxRunner, CountingPool],
) -> None:
    sandboxed, pool = remembering
    first = sandboxed.run_all("dl-ex1", "ada", ANSWERS)
    again = sandboxed.run_all("dl-ex1", "ada", ANSWERS)
    assert again == first == InProcessRunner(sandboxed.catalog).run_all("dl-ex1", "ada", ANSWERS)
    assert pool.answers_sent == len(ANSWERS)


def test_another_variant_reuses_only_the_grades_of_fields_it_reads_alike(
    remembering: tuple[SandboxRunner, CountingPool],
) -> None:
    sandboxed, pool = remembering
    catalog = sandboxed.catalog
    ada, grace = (catalog.compiled("dl-ex1", student).parameters for student in ("ada", "grace"))
    assert ada["n_in"] != grace["n_in"]
    sandboxed.run_all("dl-ex1", "ada", ANSWERS)
    # q3.c reads no parameter; q1.a reads n_in; q2.layer1 reads the kernel.
    reread = 1 + int(ada["kernel"] != grace["kernel"])
    graded = sandboxed.run_all("dl-ex1", "grace", ANSWERS)
    assert graded == InProcessRunner(catalog).run_all("dl-ex1", "grace", ANSWERS)
    assert pool.answers_sent == len(ANSWERS) + reread


def test_after_a_reload_no_grade_of_the_old_files_is_served(
    remembering: tuple[SandboxRunner, CountingPool], tmp_path: Path
) -> None:
    sandboxed, _ = remembering
    field, answer = TRANSPOSED
    max_score = sandboxed.catalog.compiled("dl-ex1").fields[field].max_score
    [before] = sandboxed.run_all("dl-ex1", None, [TRANSPOSED])
    assert before.score == pytest.approx(0.5 * max_score)
    loosen(tmp_path)
    assert sandboxed.catalog.reload()
    for _ in range(2):
        [after] = sandboxed.run_all("dl-ex1", None, [TRANSPOSED])
        assert after.score == pytest.approx(0.75 * max_score)


def test_an_answer_cut_off_is_not_remembered(tmp_path: Path) -> None:
    memo = GradeMemo()
    catalog = ProblemCatalog(copied_problems(tmp_path))
    sandboxed = SandboxRunner(catalog, pool=AlwaysTimesOut(), memo=memo)  # type: ignore[arg-type]
    [cut_off] = sandboxed.run_all("dl-ex1", None, [TRANSPOSED])
    assert cut_off.verdict == Verdict.INVALID and len(memo) == 0


class AlwaysTimesOut:
    """A pool on which every call overruns."""

    def call(self, function: object, *args: object, **kwargs: object) -> object:
        raise SandboxTimeout("slow")

    def close(self) -> None:
        pass
