"""A student in a real browser: signs in, types a batch-norm gradient and sees it typeset,
submits and reads the feedback; an unreadable answer shows its message; a model upload shows
its progress and its measured result; a `<script>` answer stays text; a phone-width screen
needs no sideways scrolling. Every page runs under the service's Content-Security-Policy."""

import re
from pathlib import Path
from typing import Any

import pytest

from app.checkpoints.dataset import LabeledImages, load_split
from tests.browser.conftest import Server, Watched, by_id, sign_in
from tests.checkpoints.trained import (
    RECIPES,
    one_torch_thread,
    plain_predictions,
    save,
    train,
)
from tests.problemsets.answers_expressions import ACCEPTED

PROBLEM_SET = "dl-ex1"
FIELD = "q3.a"
# A correct d f / d gamma as a student types it, from the table of accepted spellings.
BN_GRADIENT = next(
    answer
    for problem_set, field, answer in ACCEPTED
    if (problem_set, field) == (PROBLEM_SET, FIELD)
)
UNREADABLE = r"\sum_{i=1}^{m} \frac{\partial f}{\partial y_i \hat{x}_i"
SCRIPT = '<script>alert("answer")</script><img src=x onerror="alert(1)">'
UPLOAD_FIELD = "q4.baseline"
TRAIN_SLICE = 20_000
PHONE = {"width": 390, "height": 844}
# Evaluating a model on 10,000 images in the server's worker, from a cold start.
RESULT_TIMEOUT_MS = 180_000


def title_of(server: Server, token: str, problem_set: str) -> str:
    with server.api(token) as api:
        title: str = api.get(f"/problem-sets/{problem_set}").json()["title"]
    return title


def preview(server: Server, token: str, field: str, text: str) -> dict[str, Any]:
    """How the API's own preview reads an answer for this student."""
    with server.api(token) as api:
        response = api.post(f"/problem-sets/{PROBLEM_SET}/preview", json={"answers": {field: text}})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["fields"][0]
    return result


def stored_field(server: Server, token: str, submission_id: str, field: str) -> dict[str, Any]:
    """One field of a stored submission, as the API returns it."""
    with server.api(token) as api:
        response = api.get(f"/submissions/{submission_id}")
    assert response.status_code == 200, response.text
    return next(row for row in response.json()["fields"] if row["field"] == field)


def open_problem_set(page: Any, server: Server, token: str) -> None:
    """From the list of problem sets, follow the link to dl-ex1."""
    page.get_by_role("link", name=title_of(server, token, PROBLEM_SET)).click()
    page.wait_for_url(f"{server.url}/sets/{PROBLEM_SET}")


def submit(page: Any) -> str:
    """Submit the answers form; the id of the submission whose page opens."""
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url(re.compile(r"/submissions/[0-9a-f-]+$"))
    return str(page.url.rsplit("/", 1)[1])


def test_a_student_sees_a_bn_gradient_typeset_submits_it_and_reads_the_feedback(
    watched: Watched, server: Server
) -> None:
    page = watched.page
    token, _ = server.new_student("Grace Hopper")
    sign_in(page, server, token)
    open_problem_set(page, server, token)
    # The statements' math is typeset by KaTeX under the page's Content-Security-Policy.
    assert page.locator(".prompt .katex").count() > 0

    by_id(page, f"answer-{FIELD}").fill(BN_GRADIENT)
    typeset = by_id(page, f"preview-{FIELD}").locator(".katex")
    typeset.wait_for()
    expected = preview(server, token, FIELD, BN_GRADIENT)
    assert expected["status"] == "parsed"
    # KaTeX keeps the source it typeset: it is the LaTeX the service read the answer as.
    annotation = by_id(page, f"preview-{FIELD}").locator("annotation")
    assert annotation.text_content() == expected["parsed"]

    submission_id = submit(page)
    graded = stored_field(server, token, submission_id, FIELD)
    assert graded["verdict"] == "correct"
    result = page.locator(".result").filter(has=page.locator(".field-id", has_text=FIELD))
    assert "Correct" in result.locator(".verdict").inner_text()
    assert result.locator(".feedback").inner_text() == graded["feedback"]
    assert result.locator("pre.answer").inner_text() == BN_GRADIENT
    assert result.locator(".parsed .katex").count() == 1
    assert watched.errors == [] and watched.dialogs == []


def test_an_unreadable_answer_shows_its_message_at_its_position(
    watched: Watched, server: Server
) -> None:
    page = watched.page
    token, _ = server.new_student("Edsger Dijkstra")
    sign_in(page, server, token)
    page.goto(f"{server.url}/sets/{PROBLEM_SET}")

    box = by_id(page, f"answer-{FIELD}")
    box.fill(UNREADABLE)
    region = by_id(page, f"preview-{FIELD}")
    region.locator(".not-understood").wait_for()
    expected = preview(server, token, FIELD, UNREADABLE)
    assert expected["status"] == "invalid" and expected["position"] is not None
    assert expected["message"] in region.inner_text()
    assert region.locator("mark").text_content() == UNREADABLE[expected["position"]]
    assert box.get_attribute("aria-invalid") == "true"
    assert region.get_attribute("aria-live") == "polite"
    assert watched.errors == []


@pytest.fixture(scope="session")
def checkpoint(fashion_mnist: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """A LeNet-5 trained briefly on Fashion-MNIST; its file and the test accuracy a plain
    loop measures."""
    recipe = RECIPES["plain"]
    split = load_split(fashion_mnist, "train")
    data = LabeledImages(split.images[:TRAIN_SLICE], split.labels[:TRAIN_SLICE])
    test = load_split(fashion_mnist, "test")
    with one_torch_thread():
        state = train(recipe, data)
        predictions = plain_predictions(recipe.options, recipe.preprocessing, state, test.images)
    accuracy = float((predictions == test.labels).double().mean())
    tensors, _ = save("browser", state, tmp_path_factory.mktemp("checkpoint"))
    return tensors, accuracy


@pytest.mark.timeout(400)
def test_an_upload_shows_its_progress_and_then_the_measured_result(
    watched: Watched, server: Server, checkpoint: tuple[Path, float]
) -> None:
    path, accuracy = checkpoint
    recipe = RECIPES["plain"]
    page = watched.page
    token, _ = server.new_student("Alan Turing")
    sign_in(page, server, token)
    page.goto(f"{server.url}/sets/{PROBLEM_SET}")

    form = page.locator("form[data-upload]").filter(
        has=page.locator(f'input[name="field"][value="{UPLOAD_FIELD}"]')
    )
    by_id(page, f"file-{UPLOAD_FIELD}").set_input_files(str(path))
    by_id(page, f"pool-{UPLOAD_FIELD}").select_option(recipe.options.pool)
    by_id(page, f"activation-{UPLOAD_FIELD}").select_option(recipe.options.activation)
    by_id(page, f"mean-{UPLOAD_FIELD}").fill(str(recipe.preprocessing.mean))
    by_id(page, f"std-{UPLOAD_FIELD}").fill(str(recipe.preprocessing.std))
    measured = f"{100 * accuracy:.2f}%"
    by_id(page, f"claimed_test_accuracy-{UPLOAD_FIELD}").fill(measured)
    form.get_by_role("button", name="Upload and evaluate").click()

    upload_bar = by_id(page, f"upload-progress-{UPLOAD_FIELD}")
    upload_bar.wait_for()
    job_bar = by_id(page, f"job-progress-{UPLOAD_FIELD}")
    job_bar.wait_for()
    assert upload_bar.get_attribute("value") == "100"
    result = form.locator(".job-result dl")
    result.wait_for(timeout=RESULT_TIMEOUT_MS)
    assert job_bar.evaluate("bar => bar.value") == 100
    assert measured in result.inner_text()

    link = form.locator(".job-result a")
    submission_id = str(link.get_attribute("href")).rsplit("/", 1)[1]
    graded = stored_field(server, token, submission_id, UPLOAD_FIELD)
    assert graded["feedback"] in result.inner_text()
    assert f"{graded['verdict']}: " in result.inner_text()
    assert watched.errors == []


def test_a_script_answer_is_text_on_every_page_that_shows_it(
    watched: Watched, server: Server
) -> None:
    page = watched.page
    token, _ = server.new_student("Mallory")
    sign_in(page, server, token)
    page.goto(f"{server.url}/sets/{PROBLEM_SET}")
    box = by_id(page, f"answer-{FIELD}")
    box.fill(SCRIPT)
    by_id(page, f"preview-{FIELD}").locator(".not-understood").wait_for()

    submission_id = submit(page)
    assert page.locator("pre.answer").filter(has_text="alert").inner_text() == SCRIPT
    page.get_by_role("link", name=re.compile("^Back to ")).click()
    page.wait_for_url(f"{server.url}/sets/{PROBLEM_SET}")
    assert by_id(page, f"answer-{FIELD}").input_value() == SCRIPT
    page.locator(f'a[href="/submissions/{submission_id}"]').click()
    page.wait_for_url(f"{server.url}/submissions/{submission_id}")
    for shown in (page.url, f"{server.url}/sets/{PROBLEM_SET}"):
        page.goto(shown)
        assert page.locator("body script, body img").count() == 0
    assert watched.dialogs == []


def test_the_pages_fit_a_phone_and_work_by_keyboard(watched: Watched, server: Server) -> None:
    page = watched.page
    page.set_viewport_size(PHONE)
    token, _ = server.new_student("Ada Phone")
    sign_in(page, server, token)
    page.goto(f"{server.url}/sets/{PROBLEM_SET}")
    by_id(page, "answer-q1.a").fill("m x 10")
    submission_id = submit(page)
    pages = ["/sets", f"/sets/{PROBLEM_SET}", "/sets/eecs182-hw5", f"/submissions/{submission_id}"]
    for path in pages:
        page.goto(f"{server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], path

    # The first Tab reaches the skip link, visibly; Enter moves on to the main content.
    page.goto(f"{server.url}/sets/{PROBLEM_SET}")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert watched.errors == []
