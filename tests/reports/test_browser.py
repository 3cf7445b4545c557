"""The report in a real browser: headless Chromium draws it (charts included) and finds no
element in the students' text. CI installs Chromium (.ci/chromium.sh); elsewhere its absence
skips these tests."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from app.grading.result import Verdict
from app.reports.charts import BAR_COLOUR, VERDICT_COLOURS
from app.reports.render import render_report
from tests.reports import cases
from tests.reports.html import Document

# A guard against a hung browser, not a measurement.
BROWSER_TIMEOUT_S = 90
WINDOW = (900, 2400)


def chromium() -> str:
    """The Chromium binary; CI must have one."""
    path = shutil.which("chromium")
    if path is None and os.environ.get("CI"):
        pytest.fail("CI must install chromium (.ci/chromium.sh)")
    if path is None:
        pytest.skip("chromium is not installed")
    return path


def browse(tmp_path: Path, *options: str) -> str:
    """Open the full report in headless Chromium with these options; its standard output."""
    report = tmp_path / "report.html"
    report.write_text(render_report(cases.full()), encoding="utf-8")
    command = [
        chromium(),
        "--headless",
        "--disable-gpu",
        "--no-sandbox",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        *options,
        report.as_uri(),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def test_chromium_draws_the_report_and_its_charts(tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    browse(tmp_path, f"--screenshot={shot}")
    with Image.open(shot) as image:
        image.verify()
    with Image.open(shot) as image:
        assert image.format == "PNG" and image.size == WINDOW
        pixels = image.convert("RGB")
        colours = {
            colour: count for count, colour in pixels.getcolors(maxcolors=WINDOW[0] * WINDOW[1])
        }
    assert len(colours) > 2, "blank screenshot"
    # The charts' own colours on screen: the data images were allowed and drawn.
    drawn = [BAR_COLOUR, VERDICT_COLOURS[Verdict.CORRECT], VERDICT_COLOURS[Verdict.INCORRECT]]
    for colour in drawn:
        assert colours.get(rgb(colour), 0) > 500, colour


def test_chromium_finds_no_element_in_student_text(tmp_path: Path) -> None:
    document = Document(browse(tmp_path, "--dump-dom"))
    assert document.find("script") == []
    images = document.find("img")
    assert len(images) == 3 and all(image.inside("charts") for image in images)
    assert cases.SCRIPT in document.by_id("wrong-answers").text
