"""An override in a real browser: an instructor sets a field's score with a comment from a
student's page, and the student, signed in, reads the new score and the comment on their
submission's page. The pages run under the service's Content-Security-Policy."""

from typing import Any

from app.web.templating import points
from tests.browser.conftest import Server, Watched, by_id, sign_in

PROBLEM_SET = "dl-ex1"
FIELD = "q1.a"
COMMENT = "Checked by hand: the batch dimension comes first, as you wrote."


def submitted(server: Server, token: str) -> dict[str, Any]:
    """A wrong answer to FIELD handed in through the API; its graded field."""
    with server.api(token) as api:
        response = api.post(
            f"/problem-sets/{PROBLEM_SET}/submissions", json={"answers": {FIELD: "7 x 7"}}
        )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    field: dict[str, Any] = body["fields"][0]
    return {"submission_id": body["submission_id"], **field}


def test_an_instructor_overrides_a_field_and_the_student_reads_it(
    watched: Watched, server: Server
) -> None:
    token, student_id = server.new_student("Grace Override")
    graded = submitted(server, token)
    score = min(1.0, graded["max_score"])
    assert graded["score"] != score
    page = watched.page
    sign_in(page, server, server.instructor)
    page.goto(f"{server.url}/students/{student_id}")
    entry = by_id(page, f"field-{PROBLEM_SET}-{FIELD}")
    entry.locator("summary").click()
    by_id(page, f"score-{PROBLEM_SET}-{FIELD}").fill(str(score))
    by_id(page, f"comment-{PROBLEM_SET}-{FIELD}").fill(COMMENT)
    entry.get_by_role("button", name="Set the override").click()
    page.wait_for_url(f"{server.url}/students/{student_id}?changed={FIELD}")
    assert "new grade" in page.locator("#override-notice").inner_text()
    assert COMMENT in by_id(page, f"override-{PROBLEM_SET}-{FIELD}").inner_text()

    student = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        own = student.new_page()
        sign_in(own, server, token)
        own.goto(f"{server.url}/submissions/{graded['submission_id']}")
        result = by_id(own, f"result-{FIELD}")
        heading = result.locator("h2").inner_text()
        assert f"{points(score)} of {points(graded['max_score'])}" in heading
        assert "set by an instructor" in heading
        override = by_id(own, f"override-{FIELD}").inner_text()
        assert COMMENT in override and "replaces the automatic grade" in override
        assert f"{points(graded['score'])} of {points(graded['max_score'])}" in override
    finally:
        student.close()
    assert watched.errors == [] and watched.dialogs == []
