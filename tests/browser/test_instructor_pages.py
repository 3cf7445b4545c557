"""An instructor in a real browser: imports a roster and sees each token once; uploads a class
file and follows its progress to the summary and the bad rows; sees the statistics' charts
rendered; downloads the grade book, whose rows are the API's; regrades and reads that nobody's
grade changed; student text stays text on every page that shows it; the pages fit a phone and
work by keyboard. Every page runs under the service's Content-Security-Policy."""

import csv
import io
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.batches.classgen import generate
from tests.browser.conftest import Server, Watched, by_id, sign_in

PROBLEM_SET = "dl-ex1"
# No other test hands work in to this one but the rules page's, on a field of its own.
QUIET_SET = "eecs182-hw5"
CLASS_SIZE = 30
SCRIPT = '<script>alert("name")</script><img src=x onerror="alert(1)">'
PHONE = {"width": 390, "height": 844}
# Grading a class on the server's one grading worker, from a cold start.
IMPORT_TIMEOUT_MS = 180_000
POLL_S = 0.5


def sign_in_instructor(page: Any, server: Server) -> None:
    sign_in(page, server, server.instructor)


def import_by_api(server: Server, prefix: str, students: int = 8) -> dict[str, Any]:
    """A generated class imported through the API, waited for; the job's result."""
    generated = generate(students, prefix=prefix)
    with server.api(server.instructor) as api:
        response = api.post(
            f"/problem-sets/{PROBLEM_SET}/batches",
            data={"create_students": "true"},
            files={"file": (generated.filename, generated.content, "application/octet-stream")},
        )
        assert response.status_code == 202, response.text
        job_id = response.json()["job_id"]
        deadline = time.monotonic() + IMPORT_TIMEOUT_MS / 1000
        while time.monotonic() < deadline:
            job: dict[str, Any] = api.get(f"/jobs/{job_id}").json()
            if job["status"] in ("done", "failed"):
                assert job["status"] == "done", job
                result: dict[str, Any] = job["result"]
                return result
            time.sleep(POLL_S)
    pytest.fail("the import did not finish")


def test_an_instructor_imports_a_roster_and_sees_each_token_once(
    watched: Watched, server: Server, tmp_path: Path
) -> None:
    page = watched.page
    roster = tmp_path / "roster.csv"
    names = [("Barbara Liskov", "liskov"), ("Donald Knuth", "knuth"), ("Frances Allen", "")]
    roster.write_text("name,login\n" + "".join(f"{n},{login}\n" for n, login in names))
    sign_in_instructor(page, server)
    page.get_by_role("link", name="Roster", exact=True).click()
    page.wait_for_url(f"{server.url}/roster")
    page.get_by_label("Roster file (CSV)").set_input_files(str(roster))
    page.get_by_role("button", name="Import the roster").click()
    page.wait_for_url(f"{server.url}/roster/import")

    assert "shown only once" in page.locator("#tokens-notice").inner_text()
    rows = page.locator("#tokens tbody tr")
    assert rows.count() == len(names)
    tokens = []
    for index, (name, login) in enumerate(names):
        cells = rows.nth(index).locator("td")
        assert cells.nth(0).inner_text() == name and cells.nth(1).inner_text() == login
        tokens.append(cells.nth(2).inner_text())
    # Each token is its student's: it signs in as them.
    for token in tokens:
        with server.api(token) as api:
            assert api.get("/problem-sets").status_code == 200
    # The roster lists the students, without their tokens (in a second tab: the screenshot
    # keeps the tokens' page).
    assert page.get_by_role("link", name="Back to the roster").get_attribute("href") == "/roster"
    roster_page = page.context.new_page()
    roster_page.goto(f"{server.url}/roster")
    assert all(token not in roster_page.content() for token in tokens)
    for name, _ in names:
        assert roster_page.locator("#students tbody tr").filter(has_text=name).count() == 1
    assert watched.errors == [] and watched.dialogs == []


@pytest.mark.timeout(400)
def test_an_instructor_uploads_a_class_and_follows_it_to_the_summary(
    watched: Watched, server: Server, tmp_path: Path
) -> None:
    page = watched.page
    generated = generate(CLASS_SIZE, prefix="browser")
    class_file = tmp_path / generated.filename
    class_file.write_bytes(generated.content)
    sign_in_instructor(page, server)
    page.get_by_role("link", name="Classwork").click()
    card = page.locator(".card").filter(has=page.get_by_text(PROBLEM_SET, exact=True))
    card.get_by_role("link", name="Import a class file").click()
    page.wait_for_url(f"{server.url}/sets/{PROBLEM_SET}/batch")

    page.get_by_label("Class file (.jsonl, .csv or .zip)").set_input_files(str(class_file))
    page.get_by_label("Create the students the course does not know").check()
    page.get_by_role("button", name="Import the class file").click()
    summary = page.locator("#batch-result dl")
    summary.wait_for(timeout=IMPORT_TIMEOUT_MS)

    # Still on the batch page: the script sent the file and followed the job in place.
    assert page.url == f"{server.url}/sets/{PROBLEM_SET}/batch"
    assert by_id(page, "batch-upload").evaluate("bar => bar.value") == 100
    rows = by_id(page, "batch-rows")
    assert (
        rows.evaluate("bar => bar.value") == rows.evaluate("bar => bar.max") == len(generated.rows)
    )
    job_link = page.get_by_role("link", name="The import's page")
    job_id = str(job_link.get_attribute("href")).rsplit("/", 1)[1]
    with server.api(server.instructor) as api:
        result = api.get(f"/jobs/{job_id}").json()["result"]
    assert result["stored"] == len(generated.good) and result["failed"] == len(generated.bad)
    message = by_id(page, "batch-message").inner_text()
    assert f"{result['done']} of {result['total']} rows handled" in message
    assert f"{result['failed']} failed" in message
    bad = page.locator("#batch-result .bad-rows li")
    assert bad.count() == len(result["errors"])
    for index, error in enumerate(result["errors"]):
        assert bad.nth(index).inner_text().startswith(f"Line {error['line']}")
        assert error["reason"] in bad.nth(index).inner_text()
    # The job's own page shows the same, rendered by the server.
    job_page = page.context.new_page()
    job_page.goto(f"{server.url}/jobs/{job_id}")
    assert job_page.locator(".bad-rows li").count() == len(result["errors"])
    assert watched.errors == [] and watched.dialogs == []


def test_the_statistics_show_their_charts_and_the_grade_book_downloads(
    watched: Watched, server: Server
) -> None:
    import_by_api(server, "stats")
    page = watched.page
    sign_in_instructor(page, server)
    page.goto(f"{server.url}/classwork")
    card = page.locator(".card").filter(has=page.get_by_text(PROBLEM_SET, exact=True))
    card.get_by_role("link", name="Statistics and regrade").click()
    page.wait_for_url(f"{server.url}/sets/{PROBLEM_SET}/stats")

    charts = page.locator("figure.chart img")
    assert charts.count() >= 2
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        assert chart.evaluate("image => image.complete && image.naturalWidth") > 0
        assert chart.get_attribute("alt")
    assert page.locator("table.wrong").count() > 0

    with page.expect_download() as started:
        page.get_by_role("link", name="Grade book (CSV)").click()
    download = started.value
    assert download.suggested_filename == f"{PROBLEM_SET}-gradebook.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(), newline="")))
    with server.api(server.instructor) as api:
        book = api.get(f"/problem-sets/{PROBLEM_SET}/gradebook?format=json").json()
    assert [row["student_id"] for row in rows] == [entry["student_id"] for entry in book["rows"]]
    for row, entry in zip(rows, book["rows"], strict=True):
        assert row["name"].removeprefix("'") == entry["name"]
        assert row["login"] == (entry["login"] or "")
        for question in book["questions"]:
            assert_number(row[question["id"]], entry["scores"][question["id"]])
        assert_number(row["total"], entry["total"])
    assert watched.errors == [] and watched.dialogs == []


def assert_number(cell: str, value: float | None) -> None:
    """A CSV cell holds the number, or is blank for none."""
    if value is None:
        assert cell == ""
    else:
        assert float(cell) == pytest.approx(value, abs=1e-6)


@pytest.mark.timeout(400)
def test_a_regrade_of_unchanged_files_says_nobodys_grade_changed(
    watched: Watched, server: Server
) -> None:
    import_by_api(server, "regrade", students=4)
    page = watched.page
    sign_in_instructor(page, server)
    page.goto(f"{server.url}/sets/{PROBLEM_SET}/stats")
    page.get_by_role("button", name="Regrade every submission").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+$"))
    # The page follows the job by itself and shows the result when it ends.
    by_id(page, "no-changes").wait_for(timeout=IMPORT_TIMEOUT_MS)
    assert page.locator("#changes").count() == 0
    assert by_id(page, "job-state").inner_text() == "done"
    assert watched.errors == [] and watched.dialogs == []


def test_student_text_is_text_on_every_instructor_page(watched: Watched, server: Server) -> None:
    token, student_id = server.new_student(SCRIPT)
    with server.api(token) as api:
        response = api.post(
            f"/problem-sets/{PROBLEM_SET}/submissions", json={"answers": {"q1.a": SCRIPT}}
        )
        assert response.status_code == 201, response.text
        # The only work on this problem set, so its statistics list this answer.
        other = api.post(
            f"/problem-sets/{QUIET_SET}/submissions", json={"answers": {"q1.b": SCRIPT}}
        )
        assert other.status_code == 201, other.text
    submission_id = response.json()["submission_id"]
    page = watched.page
    sign_in_instructor(page, server)
    paths = [
        "/roster",
        f"/students/{student_id}",
        f"/classwork/{PROBLEM_SET}?student={student_id}",
        f"/submissions/{submission_id}",
        f"/roster/{student_id}/revoke",
        f"/sets/{QUIET_SET}/stats",
    ]
    for path in paths:
        page.goto(f"{server.url}{path}")
        assert page.get_by_text(SCRIPT).count() > 0, path
        assert page.locator("main script, main img:not(figure.chart img)").count() == 0, path
    assert watched.dialogs == [] and watched.errors == []


def test_the_instructor_pages_fit_a_phone_and_work_by_keyboard(
    watched: Watched, server: Server
) -> None:
    page = watched.page
    page.set_viewport_size(PHONE)
    sign_in_instructor(page, server)
    _, student_id = server.new_student("Kay Keyboard")
    paths = [
        "/classwork",
        f"/classwork/{PROBLEM_SET}",
        "/roster",
        f"/students/{student_id}",
        f"/sets/{PROBLEM_SET}/batch",
        f"/sets/{PROBLEM_SET}/stats",
    ]
    for path in paths:
        page.goto(f"{server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], path

    # Add a student by keyboard alone: type the name, Tab to the login, type it, press Enter.
    page.goto(f"{server.url}/roster")
    page.get_by_label("Name", exact=True).focus()
    page.keyboard.type("Ada Keys")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "student-login"
    page.keyboard.type("ada-keys")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/roster/students")
    assert page.locator("#tokens code.token").count() == 1
    # Revoke by keyboard: follow the link, confirm with the focused button.
    page.goto(f"{server.url}/roster/{student_id}/revoke")
    page.get_by_role("button", name="Revoke the token").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/roster\?revoked="))
    assert "Kay Keyboard" in by_id(page, "revoked-notice").inner_text()
    assert watched.errors == []
