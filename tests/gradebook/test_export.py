"""The CSV writers on their own: numbers written plainly, formulas defused, both layouts."""

import csv
import io
from datetime import UTC, datetime

import pytest

from app.gradebook.export import defused, number, to_canvas_csv, to_csv
from app.gradebook.schemas import Gradebook, GradebookRow, QuestionColumn


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (100.0, "100"),
        (12.5, "12.5"),
        (2 / 3, "0.666667"),
        (1e-6, "0.000001"),
        (4e-7, "0"),
        (-4e-7, "0"),
        (1e20, "100000000000000000000"),
        (3.1250000001, "3.125"),
        (7, "7"),
    ],
)
def test_numbers_are_written_plainly(value: float, text: str) -> None:
    assert number(value) == text
    assert "e" not in number(value).lower()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("\uff0bSUM(1,2)", "'\uff0bSUM(1,2)"),
        ("\uff0d2+3", "'\uff0d2+3"),
        ("\uff20SUM(A1:A9)", "'\uff20SUM(A1:A9)"),
        ('\uff1dHYPERLINK("http://evil.example")', '\'\uff1dHYPERLINK("http://evil.example")'),
        ("\ufe66cmd", "'\ufe66cmd"),
        ("\ufe62\ufe63\ufe6b", "'\ufe62\ufe63\ufe6b"),
        ("\t\uff1d1", "'\t\uff1d1"),
        ("\uff21da", "\uff21da"),
        ("a\uff1db", "a\uff1db"),
        ("\u3231", "\u3231"),
        ("Ada Lovelace", "Ada Lovelace"),
        ("O'Brien, Pat", "O'Brien, Pat"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text_that_reads_as_a_formula_is_defused(text: str, shown: str) -> None:
    assert defused(text) == shown


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


WHEN = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
BOOK = Gradebook(
    problem_set="ps-1",
    title="Basics, part 1",
    counts="latest",
    questions=[
        QuestionColumn(id="q1", title="Tensor shapes", points=12.5),
        QuestionColumn(id="q2", title='The "hard" one', points=87.5),
    ],
    max_total=100,
    rows=[
        GradebookRow(
            student_id="s1",
            name="Ada",
            login="ada@example.edu",
            revoked=False,
            scores={"q1": 6.25, "q2": 0.0},
            total=6.25,
            late=True,
            submitted_at=WHEN,
            overridden=["q1.a", "q2.total"],
        ),
        GradebookRow(
            student_id="s2",
            name="=1+1",
            login=None,
            revoked=True,
            scores={"q1": None, "q2": None},
            total=None,
            late=False,
            submitted_at=None,
        ),
    ],
)


def test_the_plain_layout() -> None:
    assert read(to_csv(BOOK)) == [
        ["student_id", "name", "login", "q1", "q2", "total", "late", "submitted_at", "overridden"],
        [
            "s1",
            "Ada",
            "ada@example.edu",
            "6.25",
            "0",
            "6.25",
            "true",
            WHEN.isoformat(),
            "q1.a q2.total",
        ],
        ["s2", "'=1+1", "", "", "", "", "", "", ""],
    ]


def test_the_canvas_layout() -> None:
    assert read(to_canvas_csv(BOOK)) == [
        [
            "Student",
            "ID",
            "SIS User ID",
            "SIS Login ID",
            "Section",
            "ps-1 q1 (Tensor shapes)",
            'ps-1 q2 (The "hard" one)',
            "ps-1 total (Basics, part 1)",
            "ps-1 overridden fields",
        ],
        ["Points Possible", "", "", "", "", "12.5", "87.5", "100", ""],
        ["Ada", "", "", "ada@example.edu", "", "6.25", "0", "6.25", "q1.a q2.total"],
        ["'=1+1", "", "", "", "", "", "", "", ""],
    ]
