"""A generated class of dl-ex1 answers to Q1-Q3 on the published numbers, written as JSONL, CSV
or a ZIP (with model files when given), and what importing each row must give: computed by
grading every distinct answer in this process, independently of the import.

Each student's answers are drawn, field by field, from correct spellings, known mistakes, plain
wrong answers, unreadable ones and hostile ones; a few rows are bad on purpose.
"""

import csv
import io
import json
import random
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from app.grading.limits import MAX_ANSWER_CHARS
from app.grading.result import FieldResult
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.runner import InProcessRunner
from tests.problemsets.answers_published import ACCEPTED, MISTAKES, WRONG

PROBLEM_SET = "dl-ex1"
Format = Literal["jsonl", "csv", "zip"]
MODEL_FIELD = "q4.baseline"


@cache
def runner() -> InProcessRunner:
    """Grades in this process, on the shipped problem files."""
    return InProcessRunner(ProblemCatalog())


@cache
def text_fields() -> tuple[str, ...]:
    """The fields of Q1-Q3, in the problem set's order."""
    fields = runner().catalog.compiled(PROBLEM_SET).fields
    return tuple(field_id for field_id, spec in fields.items() if not spec.is_upload)


def _table(rows: Sequence[tuple[Any, ...]]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for problem_set, field_id, answer, *_ in rows:
        if problem_set == PROBLEM_SET:
            table.setdefault(field_id, []).append(answer)
    return table


CORRECT = _table(ACCEPTED)
KNOWN_MISTAKES = _table(MISTAKES)
PLAIN_WRONG = _table(WRONG)
# Wrong for every field whatever its type: a shape, a count or an expression of the wrong kind.
ANY_WRONG = ["7 x 7", "12345", "m", "\\gamma"]
UNREADABLE = ["((", "x +", "m x", "\\frac{1}{", "[1, 2", "\\sum_{i=1}^"]
HOSTILE = [
    "__import__('os')",
    "__import__('os').system('touch /tmp/pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "9^9^9",
    "9**9**9**9",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "2800\x00",
    "\x00\x00\x00",
    "m x 10\n; rm -rf /",
    "1+" * (MAX_ANSWER_CHARS // 2 - 1) + "1",
    "(" * MAX_ANSWER_CHARS,
    " " * (MAX_ANSWER_CHARS - 4) + "2800",
]
KINDS = ("correct", "mistake", "wrong", "unreadable", "hostile", "blank")
WEIGHTS = (50, 15, 10, 10, 10, 5)


@dataclass(frozen=True)
class ExpectedRow:
    """What importing one row must give."""

    line: int
    student: str | None
    answers: dict[str, str] = field(default_factory=dict)
    """The text answers the row gives (blank ones left out), as they are graded."""
    results: dict[str, FieldResult] = field(default_factory=dict)
    model: str | None = None
    """The name of the row's model file (for q4.baseline), in a ZIP."""
    bad: str | None = None
    """Words the reason of a bad row must contain; None for a good row."""

    @property
    def total(self) -> float:
        """The row's total, as the grader adds it up."""
        return round(sum(result.score for result in self.results.values()), 6)


@dataclass(frozen=True)
class GeneratedClass:
    """A class file and what importing it must give, row by row."""

    filename: str
    content: bytes
    format: Format
    rows: list[ExpectedRow]

    @property
    def good(self) -> list[ExpectedRow]:
        """The rows that must be stored."""
        return [row for row in self.rows if row.bad is None]

    @property
    def bad(self) -> list[ExpectedRow]:
        """The rows that must be reported."""
        return [row for row in self.rows if row.bad is not None]

    @property
    def students(self) -> set[str]:
        """The students of the good rows."""
        return {row.student for row in self.good if row.student is not None}


@cache
def graded(field_id: str, answer: str) -> FieldResult:
    """One answer graded on the published numbers, in this process."""
    return runner().run(PROBLEM_SET, field_id, None, answer)


def generate(
    students: int = 300,
    *,
    format: Format = "jsonl",
    models: Mapping[str, bytes] | None = None,
    seed: int = 0,
    prefix: str = "student",
) -> GeneratedClass:
    """A class of `students` good rows and a few bad ones; `models` (file name -> bytes) go
    to the first students, as their q4.baseline, in a ZIP."""
    rng = random.Random(seed)
    names = [f"{prefix}-{index:04d}" for index in range(1, students + 1)]
    model_names = list(models or {})
    records = [_answers(rng) for _ in names]
    for index, model in enumerate(model_names):
        records[index][MODEL_FIELD] = f"models/{model}"
    rows: list[dict[str, Any]] = [
        {"student": name, "answers": answers} for name, answers in zip(names, records, strict=True)
    ]
    bad = _bad_rows(names[0], csv_file=format == "csv")
    # The bad rows sit among the good ones, not only at the end.
    for offset, row in enumerate(bad):
        rows.insert(min(len(rows), 7 + offset * 41), row)
    content, lines = _write(rows, format, models or {})
    return GeneratedClass(
        f"class.{'zip' if format == 'zip' else format}",
        content,
        format,
        [_expected(row, line) for row, line in zip(rows, lines, strict=True)],
    )


def _answers(rng: random.Random) -> dict[str, str]:
    answers: dict[str, str] = {}
    for field_id in text_fields():
        kind = rng.choices(KINDS, WEIGHTS)[0]
        if kind != "blank":
            answers[field_id] = rng.choice(_pool(field_id, kind))
    if not answers:
        answers["q2.total"] = CORRECT["q2.total"][0]
    return answers


def _pool(field_id: str, kind: str) -> list[str]:
    if kind == "correct":
        return CORRECT[field_id]
    if kind == "mistake":
        return KNOWN_MISTAKES.get(field_id) or ANY_WRONG
    if kind == "wrong":
        return PLAIN_WRONG.get(field_id, []) + ANY_WRONG
    return UNREADABLE if kind == "unreadable" else HOSTILE


BAD_MARK = "__bad__"


def _bad_rows(first_student: str, *, csv_file: bool) -> list[dict[str, Any]]:
    """Rows that must be reported, each with the words its reason must contain."""
    correct = {"q2.total": CORRECT["q2.total"][0]}
    rows: list[dict[str, Any]] = [
        {"student": first_student, "answers": correct, BAD_MARK: "already on line"},
        {"student": "", "answers": correct, BAD_MARK: "the student is empty"},
        {
            "student": "too-long",
            "answers": {"q1.a": "m x 10" + " " * 10_000},
            BAD_MARK: f"longer than {MAX_ANSWER_CHARS:,} characters",
        },
        {"student": "nothing", "answers": {"q1.a": "  "}, BAD_MARK: "answers nothing"},
    ]
    if csv_file:
        rows.append({"student": "stray", "answers": correct, "stray": "x", BAD_MARK: "column"})
    else:
        rows += [
            {"student": "unknown", "answers": {"q9.z": "1"}, BAD_MARK: "unknown field ids"},
            {"answers": correct, BAD_MARK: "names no student"},
            {"raw": "{not json", BAD_MARK: "not valid JSON"},
        ]
    return rows


def _write(
    rows: list[dict[str, Any]], format: Format, models: Mapping[str, bytes]
) -> tuple[bytes, list[int]]:
    """The file's bytes, and the line of each row."""
    if format == "csv":
        return _csv(rows)
    text = "".join(_jsonl_line(row) + "\n" for row in rows).encode()
    lines = list(range(1, len(rows) + 1))
    if format == "jsonl":
        return text, lines
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("class/class.jsonl", text)
        for name, data in models.items():
            archive.writestr(f"class/models/{name}", data)
    return out.getvalue(), lines


def _jsonl_line(row: dict[str, Any]) -> str:
    if "raw" in row:
        return str(row["raw"])
    return json.dumps({key: value for key, value in row.items() if key != BAD_MARK})


def _csv(rows: list[dict[str, Any]]) -> tuple[bytes, list[int]]:
    columns = list(text_fields())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student", *columns])
    for row in rows:
        cells = [row["answers"].get(column, "") for column in columns]
        writer.writerow([row["student"], *cells, *([row["stray"]] if "stray" in row else [])])
    # Records are numbered as a spreadsheet shows them: the header is 1, a multi-line cell
    # stays in its record.
    return out.getvalue().encode(), list(range(2, len(rows) + 2))


def _expected(row: dict[str, Any], line: int) -> ExpectedRow:
    student = row.get("student")
    if BAD_MARK in row:
        return ExpectedRow(line, student, bad=row[BAD_MARK])
    answers = {key: value for key, value in row["answers"].items() if key != MODEL_FIELD}
    model = row["answers"].get(MODEL_FIELD)
    results = {field_id: graded(field_id, answer) for field_id, answer in answers.items()}
    return ExpectedRow(line, student, answers, results, model)
