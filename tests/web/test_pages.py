"""The student pages show what the API holds: the problem sets with scores, a problem set in
the student's own numbers, graded submissions; student text is escaped wherever it shows, and
one student never sees another's work."""

import re
from dataclasses import replace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape

from app.db.models import Role, User
from app.errors import Forbidden
from app.ratelimit import RateLimiter
from app.services import Services
from app.web.deps import get_web_instructor
from app.web.markdown import markdown
from app.web.student import NOTHING_TYPED
from app.web.templating import points
from tests.conftest import CountRows, People
from tests.web.conftest import SignedIn, sign_in

SET = "dl-ex1"
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ANSWERS = {"q1.a": "m x 10", "q3.c": r"\gamma \frac{\partial f}{\partial y_i}"}
SUBMISSION = re.compile(r"^/submissions/([0-9a-f-]{36})$")


def escaped(text: str) -> str:
    """Text as the pages' templates write it."""
    return str(escape(text))


def submit(browser: SignedIn, answers: dict[str, str], problem_set: str = SET) -> str:
    """Post the answers form; the stored submission's id."""
    data = {f"answer:{field}": text for field, text in answers.items()}
    response = browser.client.post(
        f"/sets/{problem_set}/submissions",
        data={**data, "csrf": browser.csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    found = SUBMISSION.match(response.headers["location"])
    assert found is not None
    return found.group(1)


def api(client: TestClient, token: str, path: str) -> dict:  # type: ignore[type-arg]
    response = client.get(f"/api/v1{path}", headers=People.auth(token))
    assert response.status_code == 200, response.text
    body: dict = response.json()  # type: ignore[type-arg]
    return body


def test_the_list_shows_every_problem_set_with_the_score_that_counts(
    alice: SignedIn, client: TestClient, people: People
) -> None:
    submit(alice, ANSWERS)
    page = alice.client.get("/sets").text
    for summary in client.get("/api/v1/problem-sets", headers=People.auth(people.alice)).json():
        assert f'href="/sets/{summary["id"]}"' in page
        assert escaped(summary["title"]) in page
    grades = api(client, people.instructor, f"/problem-sets/{SET}/grades")["grades"]
    score = next(grade["score"] for grade in grades if grade["student_id"] == people.alice_id)
    assert f"{score:.2f}".rstrip("0").rstrip(".") + " of 100" in page


def test_a_problem_set_page_shows_the_students_own_numbers(
    alice: SignedIn, client: TestClient, people: People
) -> None:
    page = alice.client.get(f"/sets/{SET}").text
    view = api(client, people.alice, f"/problem-sets/{SET}")
    for question in view["questions"]:
        assert str(markdown(question["prompt"])) in page
        for field in question["fields"]:
            if field["answer"]["type"] == "checkpoint":
                assert f'name="field" value="{field["id"]}"' in page
            elif field["answer"]["type"] == "choice":
                assert f'name="answer:{field["id"]}" value=' in page
            else:
                assert f'id="answer-{field["id"]}"' in page
                assert f'<label for="answer-{field["id"]}">' in page


def test_a_submission_redirects_to_its_graded_page(
    alice: SignedIn, client: TestClient, people: People
) -> None:
    submission_id = submit(alice, ANSWERS)
    page = alice.client.get(f"/submissions/{submission_id}").text
    stored = api(client, people.alice, f"/submissions/{submission_id}")
    assert [field["field"] for field in stored["fields"]] == list(ANSWERS)
    for field in stored["fields"]:
        assert f'<pre class="answer">{escaped(field["answer"])}</pre>' in page
        assert f'<span class="math display">{escaped(field["parsed"])}</span>' in page
        assert f'class="result result-{field["verdict"]}"' in page


def test_a_script_answer_is_escaped_on_every_page_that_shows_it(alice: SignedIn) -> None:
    submission_id = submit(alice, {"q3.c": SCRIPT, "q1.a": SCRIPT})
    problem_set = alice.client.get(f"/sets/{SET}").text
    submission = alice.client.get(f"/submissions/{submission_id}").text
    assert f'href="/submissions/{submission_id}"' in problem_set
    for page in (problem_set, submission):
        assert SCRIPT not in page and "<img" not in page
        assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
    assert escaped(SCRIPT) in submission
    assert f">{escaped(SCRIPT)}</textarea>" in problem_set
    assert f'value="{escaped(SCRIPT)}"' in problem_set


def test_earlier_attempts_are_listed_newest_first(alice: SignedIn) -> None:
    first = submit(alice, {"q1.a": "m x 10"})
    second = submit(alice, {"q1.a": "m x 11"})
    page = alice.client.get(f"/sets/{SET}").text
    assert page.index(f"/submissions/{second}") < page.index(f"/submissions/{first}")
    # The boxes hold the latest answers.
    assert 'value="m x 11"' in page


def test_submitting_nothing_stores_nothing_and_says_so(
    alice: SignedIn, row_counts: CountRows
) -> None:
    before = row_counts()
    response = alice.client.post(
        f"/sets/{SET}/submissions", data={"answer:q1.a": "   ", "csrf": alice.csrf}
    )
    assert response.status_code == 422
    assert NOTHING_TYPED in response.text
    assert row_counts() == before


@pytest.mark.parametrize(
    ("answers", "status"),
    [
        ({"q9.z": "1"}, 422),
        ({"q1.a": "x" * 2001}, 422),
        ({"q1.a": "m x 10", "../q1.b": "1"}, 422),
    ],
    ids=["unknown field", "too long", "path-like field"],
)
def test_a_refused_submission_keeps_what_was_typed(
    alice: SignedIn, row_counts: CountRows, answers: dict[str, str], status: int
) -> None:
    before = row_counts()
    data = {f"answer:{field}": text for field, text in answers.items()}
    response = alice.client.post(f"/sets/{SET}/submissions", data={**data, "csrf": alice.csrf})
    assert response.status_code == status
    assert "Your answers were not submitted" in response.text
    if "q1.a" in answers:
        assert escaped(answers["q1.a"]) in response.text
    assert row_counts() == before


def test_submissions_past_the_quota_are_refused_with_the_answers_kept(
    app: FastAPI, services: Services, alice: SignedIn
) -> None:
    app.state.services = replace(services, limiter=RateLimiter("1/minute"))
    submit(alice, {"q1.a": "m x 10"})
    response = alice.client.post(
        f"/sets/{SET}/submissions", data={"answer:q1.a": "m x 12", "csrf": alice.csrf}
    )
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    assert 'value="m x 12"' in response.text


def test_a_student_cannot_open_another_students_submission(alice: SignedIn, bob: SignedIn) -> None:
    submission_id = submit(bob, {"q1.a": SCRIPT})
    response = alice.client.get(f"/submissions/{submission_id}")
    assert response.status_code == 404
    assert "There is no submission" in response.text and "answer" not in response.text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/sets/no-such-set", 404),
        (f"/sets/{'x' * 101}", 422),
        ("/submissions/not-an-id", 422),
        ("/submissions/ffffffff-ffff-ffff-ffff-ffffffffffff", 404),
    ],
)
def test_unknown_addresses_are_pages_too(alice: SignedIn, path: str, status: int) -> None:
    response = alice.client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")


def test_an_instructor_can_read_a_students_submission(
    app: FastAPI, alice: SignedIn, people: People
) -> None:
    submission_id = submit(alice, {"q1.a": SCRIPT})
    instructor = sign_in(app, people.instructor)
    page = instructor.client.get(f"/submissions/{submission_id}")
    assert page.status_code == 200
    assert escaped(SCRIPT) in page.text


def test_a_students_session_opens_no_instructor_data(alice: SignedIn) -> None:
    with pytest.raises(Forbidden):
        get_web_instructor(User(name="alice", role=Role.STUDENT.value, token_hash="x"))
    # The API's instructor routes take a bearer token, never the page's cookie.
    assert alice.client.get(f"/api/v1/problem-sets/{SET}/grades").status_code == 401
    assert alice.client.get("/api/v1/students").status_code == 401


def test_a_submission_page_shows_an_override_in_place_of_the_automatic_score(
    alice: SignedIn, client: TestClient, people: People
) -> None:
    submission_id = submit(alice, ANSWERS)
    automatic = api(client, people.alice, f"/submissions/{submission_id}")["fields"][0]
    assert "set by an instructor" not in alice.client.get(f"/submissions/{submission_id}").text
    comment = f"Checked by hand. {SCRIPT}"
    response = client.put(
        f"/api/v1/submissions/{submission_id}/overrides/{automatic['field']}",
        json={"score": 0.5, "comment": comment},
        headers=People.auth(people.instructor),
    )
    assert response.status_code == 200, response.text
    page = alice.client.get(f"/submissions/{submission_id}").text
    result = page[page.index(f'id="result-{automatic["field"]}"') :]
    result = result[: result.index("</li>")]
    assert f"0.5 of {points(automatic['max_score'])}" in result
    assert f'<p class="override-comment">{escaped(comment)}</p>' in result
    assert "<bdi>instructor</bdi> set this score" in result
    assert f"{points(automatic['score'])} of {points(automatic['max_score'])}), whose" in result
    assert "<script>alert" not in page
    assert 'id="overrides-hint"' in page
