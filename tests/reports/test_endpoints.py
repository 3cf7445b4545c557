"""GET /problem-sets/{id}/report: an instructor downloads the HTML report of what was submitted;
students and strangers get nothing."""

from statistics import mean, median
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.reports.render import CSP
from tests.conftest import CountRows, People
from tests.reports.cases import SCRIPT
from tests.reports.html import Document, numbers
from tests.submissions.conftest import HW5, published_answers

API = "/api/v1"
REPORT = f"{API}/problem-sets/{HW5}/report"


def submitted(client: TestClient, token: str, answers: dict[str, str]) -> Any:
    response = client.post(
        f"{API}/problem-sets/{HW5}/submissions",
        json={"answers": answers},
        headers=People.auth(token),
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_instructor_downloads_the_report_of_the_submissions(
    client: TestClient, people: People
) -> None:
    answers = published_answers(HW5)
    hostile_field = next(iter(answers))
    scores = [
        submitted(client, people.alice, answers)["score"],
        submitted(client, people.bob, {**answers, hostile_field: SCRIPT})["score"],
    ]
    response = client.get(REPORT, headers=people.auth(people.instructor))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="{HW5}-report.html"'
    assert response.headers["content-security-policy"] == CSP
    document = Document(response.text)
    assert document.problems == []
    assert numbers(document.by_id("students").text) == [2]
    assert numbers(document.by_id("mean-total").text) == pytest.approx(
        [mean(scores), 100], abs=0.005
    )
    assert numbers(document.by_id("median-total").text) == pytest.approx(
        [median(scores), 100], abs=0.005
    )
    assert SCRIPT in document.by_id("wrong-answers").text
    assert document.find("script") == []
    (row,) = [row for row in document.rows("fields") if row[0] == hostile_field]
    assert numbers(row[2]) == [2]


def test_report_of_a_problem_set_without_submissions(client: TestClient, people: People) -> None:
    response = client.get(REPORT, headers=people.auth(people.instructor))
    assert response.status_code == 200, response.text
    document = Document(response.text)
    assert document.problems == []
    assert numbers(document.by_id("students").text) == [0]
    assert document.find("img", within="chart-totals") == []


@pytest.mark.parametrize(("who", "status"), [("student", 403), ("nobody", 401), ("garbage", 401)])
def test_only_instructors_get_the_report(
    client: TestClient, people: People, row_counts: CountRows, who: str, status: int
) -> None:
    submitted(client, people.alice, published_answers(HW5))
    auth = {
        "student": people.auth(people.alice),
        "nobody": {},
        "garbage": people.auth("not-a-token"),
    }[who]
    before = row_counts()
    response = client.get(REPORT, headers=auth)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert "content-disposition" not in response.headers
    assert row_counts() == before


@pytest.mark.parametrize(
    ("problem_set", "status", "error"),
    [
        ("no-such-set", 404, "UnknownProblemSet"),
        ("x" * 100, 404, "UnknownProblemSet"),
        ("x" * 101, 422, "InvalidRequest"),
        ("%3Cscript%3E", 404, "UnknownProblemSet"),
        # An encoded slash decodes before routing: no report route matches at all.
        ("..%2F..%2Fetc", 404, "NotFound"),
    ],
)
def test_unknown_problem_set_is_refused(
    client: TestClient, people: People, problem_set: str, status: int, error: str
) -> None:
    response = client.get(
        f"{API}/problem-sets/{problem_set}/report", headers=people.auth(people.instructor)
    )
    assert response.status_code == status
    assert response.json()["error"] == error
    assert "content-disposition" not in response.headers
