"""The statistics page shows the API's statistics: the report's charts as images, the verdicts
per field, the common wrong answers with their notes (as text); its downloads are the API's
files, as attachments; its regrade form needs the CSRF token and leads to the job's page, which
lists whose grade changed (or says nobody's) with or without script."""

import base64
import csv
import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Job, JobStatus
from app.gradebook.export import to_canvas_csv, to_csv
from app.gradebook.schemas import Gradebook
from app.jobs import service as jobs
from app.jobs.memory import MemoryBackend
from app.regrade.schemas import REGRADE_JOB, FieldChange, RegradeOutcome, StudentChange
from app.reports.charts import shares_chart, totals_chart
from app.reports.render import CSP as REPORT_CSP
from app.services import Services
from app.stats.schemas import ProblemSetStats
from app.web.templating import points
from tests.conftest import People
from tests.problemsets.answers_published import MISTAKES
from tests.web.conftest import SignedIn
from tests.web.instructor.pages import JOB_PATH, SCRIPT, SET, escaped, store

IMAGE = re.compile(r'<img src="(data:image/svg\+xml;base64,[A-Za-z0-9+/=]+)" alt="([^"]*)">')
Q3A_MISTAKE = next(answer for ps, field, answer, _ in MISTAKES if (ps, field) == (SET, "q3.a"))


@pytest.fixture
def graded(services: Services, session: Session, people: People) -> None:
    """Alice made a known mistake on q3.a and typed a script into q1.a; Bob typed a number."""
    answers = {"q3.a": Q3A_MISTAKE, "q1.a": SCRIPT}
    store(services, session, people.alice_id, answers, published=True)
    store(services, session, people.bob_id, {"q2.total": "903400"}, published=True)


def api(client: TestClient, people: People, path: str) -> Any:
    response = client.get(f"/api/v1{path}", headers=People.auth(people.instructor))
    assert response.status_code == 200, response.text
    return response


def test_the_charts_are_the_reports_charts_of_the_apis_statistics(
    teacher: SignedIn, client: TestClient, people: People, graded: None
) -> None:
    stats = ProblemSetStats.model_validate(api(client, people, f"/problem-sets/{SET}/stats").json())
    page = teacher.client.get(f"/sets/{SET}/stats").text
    images = IMAGE.findall(page)
    expected = [
        totals_chart(stats.totals, max_total=stats.max_total),
        shares_chart(stats.fields),
    ]
    assert [(uri, escaped(alt)) for uri, alt in images] == [
        (chart.uri, escaped(chart.alt)) for chart in expected if chart is not None
    ]
    for uri, _ in images:
        svg = base64.b64decode(uri.split(",", 1)[1]).decode()
        assert svg.startswith("<svg") and "<script" not in svg
    assert 'id="chart-totals"' in page and 'id="chart-shares"' in page


def test_no_work_draws_no_chart(teacher: SignedIn) -> None:
    page = teacher.client.get("/sets/eecs182-hw5/stats").text
    assert IMAGE.search(page) is None
    assert "there is nothing to draw" in page and "No wrong answers yet." in page


def test_fields_and_wrong_answers_are_the_apis_with_their_notes(
    teacher: SignedIn, client: TestClient, people: People, graded: None
) -> None:
    stats = api(client, people, f"/problem-sets/{SET}/stats").json()
    page = teacher.client.get(f"/sets/{SET}/stats").text
    for field in stats["fields"]:
        row = re.search(rf'<tr data-field="{re.escape(field["field"])}">(.*?)</tr>', page, re.S)
        assert row is not None, field["field"]
        assert f'<td class="number">{field["answered"]}</td>' in row.group(1)
        assert f'<td class="number overridden">{field["overridden"]}</td>' in row.group(1)
        mean = f"{points(field['mean_score'])} of {points(field['max_score'])}"
        assert mean in row.group(1)
    wrong = {field["field"]: field["common_wrong"] for field in stats["fields"]}
    [mistake] = wrong["q3.a"]
    assert mistake["note"] and mistake["count"] == 1
    assert f"<bdi>{escaped(mistake['note'])}</bdi>" in page
    # Read as LaTeX, typeset on the page; not understood, shown as typed.
    assert mistake["verdict"] == "incorrect"
    assert f'<span class="math inline">{escaped(mistake["answer"])}</span>' in page
    [script] = wrong["q1.a"]
    assert script["verdict"] == "invalid"
    assert f"<code><bdi>{escaped(script['answer'])}</bdi></code>" in page
    assert "<script>alert" not in page


@pytest.mark.parametrize(
    ("export", "media_type", "filename"),
    [
        ("csv", "text/csv; charset=utf-8", f"{SET}-gradebook.csv"),
        ("canvas", "text/csv; charset=utf-8", f"{SET}-canvas.csv"),
        ("json", "application/json", f"{SET}-gradebook.json"),
    ],
)
def test_the_grade_book_downloads_are_the_apis_files(
    teacher: SignedIn,
    client: TestClient,
    people: People,
    graded: None,
    export: str,
    media_type: str,
    filename: str,
) -> None:
    page = teacher.client.get(f"/sets/{SET}/stats").text
    assert f'href="/sets/{SET}/gradebook?format={export}" download' in page
    response = teacher.client.get(f"/sets/{SET}/gradebook?format={export}")
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    from_api = api(client, people, f"/problem-sets/{SET}/gradebook?format={export}")
    book = Gradebook.model_validate(
        api(client, people, f"/problem-sets/{SET}/gradebook?format=json").json()
    )
    if export == "json":
        assert response.json() == from_api.json()
        return
    writer = to_csv if export == "csv" else to_canvas_csv
    assert response.text == from_api.text == writer(book)
    rows = list(csv.reader(io.StringIO(response.text, newline="")))
    # One row per student, after the header (and Canvas's Points Possible row).
    assert len(rows) == len(book.rows) + (2 if export == "canvas" else 1)


def test_the_report_downloads_under_its_own_policy(
    teacher: SignedIn, client: TestClient, people: People, graded: None
) -> None:
    response = teacher.client.get(f"/sets/{SET}/report")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="{SET}-report.html"'
    assert response.headers["content-security-policy"] == REPORT_CSP
    assert response.text == api(client, people, f"/problem-sets/{SET}/report").text


def jobs_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Job)) or 0


def test_a_regrade_leads_to_its_page_which_says_nobody_changed(
    teacher: SignedIn, backend: MemoryBackend, session: Session, graded: None
) -> None:
    response = teacher.client.post(
        f"/sets/{SET}/regrade", data={"csrf": teacher.csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    found = JOB_PATH.match(response.headers["location"])
    assert found is not None and backend.submitted == [found.group(1)]
    waiting = teacher.client.get(response.headers["location"]).text
    assert 'data-finished="false"' in waiting and '<progress id="job-progress"' in waiting
    assert f'<a href="/jobs/{found.group(1)}">refresh</a>' in waiting

    backend.run_pending()
    done = teacher.client.get(response.headers["location"]).text
    assert 'data-finished="true"' in done and "<progress" not in done
    assert '<p id="no-changes">No student\'s grade changed.</p>' in done
    assert "2 submissions regraded; 0 got a new score on some field." in done


@pytest.mark.parametrize("csrf", [None, "", "0" * 64], ids=["none", "empty", "wrong"])
def test_a_regrade_without_the_csrf_token_queues_nothing(
    teacher: SignedIn, backend: MemoryBackend, session: Session, csrf: str | None
) -> None:
    before = jobs_count(session)
    data = {} if csrf is None else {"csrf": csrf}
    response = teacher.client.post(f"/sets/{SET}/regrade", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert backend.submitted == [] and jobs_count(session) == before


def test_a_student_cannot_regrade(
    alice: SignedIn, backend: MemoryBackend, session: Session
) -> None:
    before = jobs_count(session)
    response = alice.client.post(f"/sets/{SET}/regrade", data={"csrf": alice.csrf})
    assert response.status_code == 403
    assert backend.submitted == [] and jobs_count(session) == before


def test_the_changes_of_a_regrade_are_listed_as_text(
    teacher: SignedIn, session: Session, people: People
) -> None:
    outcome = RegradeOutcome(
        problem_set=SET,
        engine_version="1",
        problem_hash="a" * 64,
        reference_hash="b" * 64,
        submissions=3,
        changed_submissions=1,
        students=[
            StudentChange(
                student_id=people.alice_id,
                name=SCRIPT,
                login=SCRIPT,
                old_score=2.5,
                new_score=5.0,
                fields=[FieldChange(field="q1.b.W_h", old=2.5, new=5.0)],
            )
        ],
    )
    job = Job(kind=REGRADE_JOB, user_id=people.alice_id, problem_set=SET, field="", spec={})
    jobs.create(session, job)
    job.status = JobStatus.DONE.value
    job.progress = 1.0
    job.result = outcome.model_dump(mode="json")
    session.commit()
    page = teacher.client.get(f"/jobs/{job.id}").text
    assert "<script>alert" not in page and escaped(SCRIPT) in page
    assert f'<a href="/students/{people.alice_id}"><bdi>{escaped(SCRIPT)}</bdi></a>' in page
    assert '<span class="field-id">q1.b.W_h</span> 2.5 → 5</li>' in page
    assert '<td class="number">2.5</td>' in page and '<td class="number">5</td>' in page
    assert "3 submissions regraded; 1 got a new score on some field." in page
