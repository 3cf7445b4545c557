"""Grading latency, warm: full submissions, single fields by answer type, and the cost of
numeric-sampling equivalence next to `sympy.simplify(a - b) == 0` on the same pairs.

Run with `make bench` (python -m benchmarks.grading). Figures are printed, never
asserted: the machine is shared and noisy.
"""

import argparse
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

import sympy

from app.grading.answers.expression import ExpressionAnswer
from app.grading.failures import ParseFailure
from app.grading.sampling.compare import sampled_target
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.grader import SubmissionGrader
from app.problemsets.runner import SandboxRunner
from app.problemsets.schema import FieldDef
from app.sandbox import SandboxTimeout, WorkerPool
from benchmarks.submissions import (
    ALTERNATIVES,
    DL_EX1_CORRECT,
    DL_EX1_WRONG,
    HW5_CORRECT,
    hostile,
)
from benchmarks.symbolic import simplify_difference

SIMPLIFY_TIMEOUT_S = 60.0


def main() -> None:
    """Measure and print every figure."""
    options = _options()
    catalog = ProblemCatalog()
    runner = SandboxRunner(catalog)
    try:
        grader = SubmissionGrader(catalog, runner)
        _print_submissions(grader, catalog, options.rounds)
        _print_field_types(runner, catalog, options.rounds)
    finally:
        runner.close()
    _print_equivalence(catalog, options.rounds)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200, help="timed repetitions per case")
    return parser.parse_args()


def _print_submissions(grader: SubmissionGrader, catalog: ProblemCatalog, rounds: int) -> None:
    dl_fields = list(DL_EX1_CORRECT)
    cases = {
        "dl-ex1 Q1-Q3 correct (17 fields)": ("dl-ex1", DL_EX1_CORRECT),
        "dl-ex1 Q1-Q3 wrong (17 fields)": ("dl-ex1", DL_EX1_WRONG),
        "dl-ex1 Q1-Q3 hostile (17 fields)": ("dl-ex1", hostile(dl_fields)),
        "eecs182-hw5 correct (16 fields)": ("eecs182-hw5", HW5_CORRECT),
    }
    print("Full submissions, sandboxed worker, warm (ms)")
    print(f"  {'submission':<36} {'p50':>8} {'p99':>8} {'score':>12}")
    for label, (problem_set, answers) in cases.items():
        result = grader.grade(problem_set, answers)
        samples = _timed(lambda ps=problem_set, a=answers: grader.grade(ps, a), rounds)
        score = f"{result.total:g}/{result.max_total:g}"
        print(f"  {label:<36} {_p(samples, 50):8.2f} {_p(samples, 99):8.2f} {score:>12}")


def _print_field_types(runner: SandboxRunner, catalog: ProblemCatalog, rounds: int) -> None:
    by_type: dict[str, list[float]] = defaultdict(list)
    for problem_set, answers in (("dl-ex1", DL_EX1_CORRECT), ("eecs182-hw5", HW5_CORRECT)):
        definitions = _field_definitions(catalog, problem_set)
        for field_id, raw in answers.items():
            kind = definitions[field_id].answer.type
            by_type[kind] += _timed(
                lambda ps=problem_set, f=field_id, r=raw: runner.run(ps, f, None, r), rounds // 4
            )
    print("\nSingle fields by answer type, sandboxed worker, warm (ms)")
    print(f"  {'answer type':<20} {'p50':>8} {'p99':>8}")
    for kind, samples in sorted(by_type.items()):
        print(f"  {kind:<20} {_p(samples, 50):8.2f} {_p(samples, 99):8.2f}")


def _print_equivalence(catalog: ProblemCatalog, rounds: int) -> None:
    print("\nEquivalence of two spellings of the same answer, in process (ms)")
    print(f"  {'field':<22} {'sampling':>9} {'simplify':>10} {'ratio':>8}  simplify proved it")
    with WorkerPool(size=1) as pool:
        for (problem_set, field_id), other in ALTERNATIVES.items():
            answer = catalog.compiled(problem_set).fields[field_id].answer
            assert isinstance(answer, ExpressionAnswer)
            first = _parse(answer, _correct(problem_set)[field_id])
            second = _parse(answer, other)
            sampling = _p(_timed(lambda a=answer, x=first, y=second: _sampled(a, x, y), rounds), 50)
            seconds, proved = _simplify_in_worker(pool, first, second)
            ratio = f"{seconds * 1000 / sampling:7.0f}x" if seconds else "      -"
            shown = f"{seconds * 1000:10.1f}" if seconds else f">{SIMPLIFY_TIMEOUT_S:8.0f}s"
            print(f"  {problem_set + ' ' + field_id:<22} {sampling:9.3f} {shown} {ratio}  {proved}")


def _sampled(answer: ExpressionAnswer, first: sympy.Expr, second: sympy.Expr) -> bool:
    """The sampling route from scratch: evaluate both spellings, compare the numbers."""
    target = sampled_target(answer.context, expression=second)
    return answer.compare(_fresh(first), target).matches


def _fresh(expression: sympy.Expr) -> sympy.Expr:
    """An equal tree that is a new object, so no per-answer cache can answer for it."""
    if isinstance(expression, sympy.Add | sympy.Mul | sympy.Pow):
        return expression.func(*expression.args, evaluate=False)
    return expression.func(*expression.args)


def _simplify_in_worker(
    pool: WorkerPool, first: sympy.Expr, second: sympy.Expr
) -> tuple[float | None, str]:
    try:
        return pool.call(simplify_difference, first, second, timeout=SIMPLIFY_TIMEOUT_S)
    except SandboxTimeout:
        return None, "gave up"


def _parse(answer: ExpressionAnswer, raw: str) -> sympy.Expr:
    parsed = answer.parse(raw)
    if isinstance(parsed, ParseFailure):
        raise SystemExit(f"benchmark answer does not parse: {raw!r}: {parsed.describe()}")
    return parsed


def _correct(problem_set: str) -> Mapping[str, str]:
    return DL_EX1_CORRECT if problem_set == "dl-ex1" else HW5_CORRECT


def _field_definitions(catalog: ProblemCatalog, problem_set: str) -> dict[str, FieldDef]:
    definition = catalog.definition(problem_set)
    return {field.id: field for question in definition.questions for field in question.fields}


def _timed(action: Callable[[], Any], rounds: int) -> list[float]:
    for _ in range(3):
        action()
    samples = []
    for _ in range(max(rounds, 1)):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _p(samples: list[float], percentile: int) -> float:
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[percentile - 1]


if __name__ == "__main__":
    main()
