"""A regrade request in a real browser: a student asks on their submission's page, an
instructor answers it with an override on the requests page, and the student reads the
answer; every page runs under the service's Content-Security-Policy."""

from typing import Any

from tests.browser.conftest import Server, Watched, by_id, sign_in

PROBLEM_SET = "dl-ex1"
FIELD = "q2.total"
MESSAGE = "I counted the biases too: <b>please</b> look again."


def test_a_student_asks_an_instructor_overrides_and_the_student_reads_it(
    watched: Watched, browser: Any, server: Server
) -> None:
    token, _ = server.new_student("Grace Hopper")
    with server.api(token) as api:
        response = api.post(
            f"/problem-sets/{PROBLEM_SET}/submissions", json={"answers": {FIELD: "0"}}
        )
    assert response.status_code == 201, response.text
    submission_id = response.json()["submission_id"]

    student = watched.page
    sign_in(student, server, token)
    student.goto(f"{server.url}/submissions/{submission_id}")
    student.get_by_text(f"Request a regrade of {FIELD}").click()
    student.get_by_label("What should be looked at again, and why").fill(MESSAGE)
    student.get_by_role("button", name="Send the request").click()
    student.wait_for_url(f"{server.url}/submissions/{submission_id}#regrade-{FIELD}")
    block = by_id(student, f"regrade-{FIELD}")
    assert MESSAGE in block.inner_text()
    assert "Waiting for an instructor's answer." in block.inner_text()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        teacher = context.new_page()
        sign_in(teacher, server, server.instructor)
        teacher.get_by_role("link", name="Regrade requests", exact=True).click()
        teacher.wait_for_url(f"{server.url}/regrade-requests")
        item = teacher.locator("li.result", has_text="Grace Hopper")
        assert MESSAGE in item.inner_text()
        item.get_by_label("Score").fill("2")
        item.get_by_label("Comment the student reads").fill("Right: the biases count.")
        item.get_by_role("button", name="Override").click()
        teacher.wait_for_url(f"{server.url}/regrade-requests?answered=*")
        assert "an override of 2 points" in teacher.locator("#answered-notice").inner_text()
    finally:
        context.close()

    student.reload()
    answer = by_id(student, f"regrade-{FIELD}").locator(".regrade-answer").inner_text()
    assert "Regraded: 2 of" in answer and "Right: the biases count." in answer
    assert watched.errors == [] and watched.dialogs == []
