"""Answer rules exported in problem-file syntax: folded into a copy of the problem file, the
file alone (no rules in force) grades every answer exactly as the rules did; only instructors
export, and an unknown problem set is refused."""

import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.grading.engine import grade_answer
from app.grading.result import FieldResult, SubmissionResult
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.paths import DEFAULT_DIRECTORY
from app.rules import service as rules
from tests.conftest import People, error_body
from tests.problemsets import answers_published
from tests.rules.folding import fold

DL_EX1 = "dl-ex1"
RULES = f"/api/v1/problem-sets/{DL_EX1}/rules"
EXPORT = f"{RULES}/export"
CATALOG = ProblemCatalog()

HOSTILE_FEEDBACK = "Not quite: # not a comment, *alias, &anchor, !!python/object, 'q' \"qq\"\n- x"
RULE_TABLE: dict[str, dict[str, Any]] = {
    "a named mistake": {
        "field": "q1.b.W_h",
        "answer": "3 x 3",
        "verdict": "partial",
        "credit": 0.25,
        "note": "kernel shape",
        "feedback": "This is the kernel's shape, not the weight matrix's.",
    },
    "feedback YAML would misread": {
        "field": "q1.b.b_h",
        "answer": "3 x 3",
        "verdict": "partial",
        "credit": 0.5,
        "note": "{kernel}: #1",
        "feedback": HOSTILE_FEEDBACK,
    },
    "a mistake with no credit": {
        "field": "q3.f",
        "answer": r"\gamma \frac{\partial f}{\partial y_i}",
        "verdict": "partial",
        "credit": 0.0,
        "note": "upstream gradient alone",
        "feedback": "Sum over the batch.",
    },
    "an accepted wrong answer": {
        "field": "q2.total",
        "answer": "903401",
        "verdict": "correct",
        "feedback": "Accepted: the bias count was ambiguous.",
    },
    "an accepted form with a note and unicode": {
        "field": "q1.a",
        "answer": "10 x m",
        "verdict": "correct",
        "note": "column convention",
        "feedback": "Accepted — both conventions were taught. µ ∑",
    },
}
RULED_FIELDS = {rule["field"] for rule in RULE_TABLE.values()}
EXTRA_ANSWERS = [
    ("q1.b.W_h", r"3 \times 3"),
    ("q1.b.W_h", "(3,3)"),
    ("q1.b.W_h", "3 x x"),
    ("q1.b.b_h", "3 x 3"),
    ("q1.a", "(10, m)"),
]
ANSWERS = sorted(
    {
        (field, answer)
        for table in (answers_published.ACCEPTED, answers_published.MISTAKES)
        for problem_set, field, answer, *_ in table
        if problem_set == DL_EX1 and field in RULED_FIELDS
    }
    | {
        (field, answer)
        for problem_set, field, answer in answers_published.WRONG
        if problem_set == DL_EX1
    }
    | {(rule["field"], rule["answer"]) for rule in RULE_TABLE.values()}
    | set(EXTRA_ANSWERS)
)


def graded(catalog: ProblemCatalog) -> SubmissionResult:
    """Every answer, graded against the published numbers of the catalog's dl-ex1."""
    fields = catalog.compiled(DL_EX1).fields
    results = [grade_answer(fields[field], answer) for field, answer in ANSWERS]
    total = round(sum(result.score for result in results), 6)
    return SubmissionResult(problem_set=DL_EX1, total=total, max_total=0.0, fields=results)


def by_answer(result: SubmissionResult) -> dict[tuple[str, str], FieldResult]:
    return {
        (field, answer): res for (field, answer), res in zip(ANSWERS, result.fields, strict=True)
    }


def export(client: TestClient, people: People) -> str:
    response = client.get(EXPORT, headers=People.auth(people.instructor))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/yaml")
    return response.text


@pytest.fixture
def problems(tmp_path: Path) -> Path:
    """A copy of the problem files that the test may edit."""
    copy = tmp_path / "problems"
    shutil.copytree(DEFAULT_DIRECTORY, copy)
    return copy


def test_the_exported_rules_folded_into_the_file_grade_as_the_rules_do(
    client: TestClient, session: Session, people: People, problems: Path
) -> None:
    for body in RULE_TABLE.values():
        response = client.post(RULES, json=body, headers=People.auth(people.instructor))
        assert response.status_code == 201, response.text
    unruled = by_answer(graded(CATALOG))
    under_rules = by_answer(rules.applied(session, DL_EX1, graded(CATALOG)))

    fold(problems, DL_EX1, export(client, people))
    from_file = by_answer(graded(ProblemCatalog(problems)))

    assert from_file == under_rules
    changed = {key for key in ANSWERS if under_rules[key] != unruled[key]}
    ruled = {(rule["field"], rule["answer"]) for rule in RULE_TABLE.values()}
    assert ruled <= changed
    assert ("q1.b.W_h", "3 x x") not in changed


def test_no_rules_export_as_an_empty_fragment_that_changes_nothing(
    client: TestClient, people: People, problems: Path
) -> None:
    before = (problems / f"{DL_EX1}.yaml").read_text()
    fold(problems, DL_EX1, export(client, people))
    assert (problems / f"{DL_EX1}.yaml").read_text() == before


@pytest.mark.parametrize(
    ("path", "who", "status"),
    [
        (EXPORT, "alice", 403),
        ("/api/v1/problem-sets/no-such-set/rules/export", "instructor", 404),
        ("/api/v1/problem-sets/..%2f..%2fetc/rules/export", "instructor", 404),
    ],
)
def test_export_is_for_instructors_on_known_problem_sets(
    client: TestClient, people: People, path: str, who: str, status: int
) -> None:
    response = client.get(path, headers=People.auth(getattr(people, who)))
    assert response.status_code == status, response.text
    assert error_body(response)["error"]
