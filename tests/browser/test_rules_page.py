"""An instructor in a real browser accepts a common wrong answer from the statistics page, for
everyone, and reads on the regrade's page whose grade changed: the student who gave that answer,
now with full credit, and nobody else."""

import re

import pytest

from app.web.templating import points
from tests.browser.conftest import Server, Watched, by_id, sign_in

# A field of a set no other test hands work in to, so the rule changes no other test's grades
# and the answer is among the few common ones the statistics list.
PROBLEM_SET = "eecs182-hw5"
FIELD = "q2.b.n1"
ANSWER = "7"
# The regrade runs on the server's one grading worker, from a cold start.
REGRADE_TIMEOUT_MS = 180_000


@pytest.mark.timeout(400)
def test_an_instructor_accepts_a_common_answer_and_sees_the_changed_grades(
    watched: Watched, server: Server
) -> None:
    ruled_token, _ = server.new_student("Rhea Ruled")
    other_token, _ = server.new_student("Otto Other")
    for token, answer in ((ruled_token, ANSWER), (other_token, "8")):
        with server.api(token) as api:
            response = api.post(
                f"/problem-sets/{PROBLEM_SET}/submissions", json={"answers": {FIELD: answer}}
            )
            assert response.status_code == 201, response.text
            [graded] = [f for f in response.json()["fields"] if f["field"] == FIELD]
            assert graded["verdict"] == "incorrect"
    before, full = graded["score"], graded["max_score"]
    page = watched.page
    sign_in(page, server, server.instructor)
    page.goto(f"{server.url}/sets/{PROBLEM_SET}/stats")

    row = page.locator(f'table.wrong[data-field="{FIELD}"] tr').filter(
        has=page.locator(f'input[name="answer"][value="{ANSWER}"]')
    )
    row.get_by_text("Accept or name this answer").click()
    row.get_by_label("is correct (full credit)").check()
    row.get_by_label("Feedback students read").fill("Accepted: the question was ambiguous.")
    row.get_by_role("button", name="Make the rule and regrade").click()

    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+$"))
    # The page follows the regrade by itself and shows whose grade changed when it ends.
    changes = by_id(page, "changes")
    changes.wait_for(timeout=REGRADE_TIMEOUT_MS)
    assert by_id(page, "job-state").inner_text() == "done"
    changed = changes.locator("tbody tr").filter(has_text="Rhea Ruled")
    assert changed.count() == 1
    assert f"{FIELD} {points(before)} → {points(full)}" in changed.inner_text()
    assert changes.get_by_text("Otto Other").count() == 0
    with server.api(ruled_token) as api:
        again = api.post(
            f"/problem-sets/{PROBLEM_SET}/submissions", json={"answers": {FIELD: ANSWER}}
        )
    [field] = [f for f in again.json()["fields"] if f["field"] == FIELD]
    assert field["verdict"] == "correct" and field["feedback"].startswith("Accepted:")
    assert watched.errors == [] and watched.dialogs == []
