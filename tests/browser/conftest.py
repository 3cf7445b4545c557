"""The browser tests' harness: a real `dlgrade serve` on a loopback port, Debian's Chromium
driven by Playwright (headless, never downloaded), and a screenshot of every test.

Without Chromium, Playwright or the Fashion-MNIST files these tests skip; with CI set they fail.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import FASHION_MNIST_DIR

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOST = "127.0.0.1"
# Guards against a hung server or browser, not measurements.
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0
STEP_TIMEOUT_MS = 30_000


def missing(what: str) -> None:
    """Skip for a missing tool; CI must have every one."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide {what}")
    pytest.skip(f"{what} is not available")


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium (.ci/chromium.sh installs it)."""
    if not CHROMIUM.is_file():
        missing(f"chromium at {CHROMIUM}")
    return CHROMIUM


@pytest.fixture(scope="session")
def fashion_mnist() -> Path:
    """The official Fashion-MNIST files beside the repository."""
    if not (FASHION_MNIST_DIR / "t10k-images-idx3-ubyte.gz").is_file():
        missing(f"Fashion-MNIST in {FASHION_MNIST_DIR}")
    return FASHION_MNIST_DIR


@dataclass
class Server:
    """A running `dlgrade serve`, its instructor and one student."""

    process: "subprocess.Popen[bytes]"
    url: str
    log: Path
    instructor: str
    student: str = ""
    student_id: str = ""
    tokens: list[str] = field(default_factory=list)

    def api(self, token: str) -> httpx.Client:
        """An API client acting as the holder of `token`."""
        return httpx.Client(
            base_url=f"{self.url}/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )

    def new_student(self, name: str) -> tuple[str, str]:
        """Create a student through the API; (token, id)."""
        with self.api(self.instructor) as api:
            response = api.post("/students", json={"name": name})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body["token"], body["id"]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, fashion_mnist: Path) -> Iterator[Server]:
    """`dlgrade serve` from a temp data directory, with an instructor and a student."""
    data_dir = tmp_path_factory.mktemp("browser-data")
    port = _free_port()
    instructor = secrets.token_urlsafe(32)
    env = {key: value for key, value in os.environ.items() if not key.startswith("DLGRADE_")}
    env |= {
        "DLGRADE_PORT": str(port),
        "DLGRADE_HOST": HOST,
        "DLGRADE_DATA_DIR": str(data_dir),
        "DLGRADE_DATASET_DIR": str(fashion_mnist),
        "DLGRADE_INSTRUCTOR_TOKEN": instructor,
        "DLGRADE_GRADING_WORKERS": "1",
        "DLGRADE_DEVICE": "cpu",
    }
    log = data_dir / "server.log"
    command = [str(Path(sys.executable).with_name("dlgrade")), "serve"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    running = Server(process, f"http://{HOST}:{port}", log, instructor)
    try:
        _wait_until_ready(running)
        running.student, running.student_id = running.new_student("Ada Lovelace")
        yield running
    finally:
        _stop(process)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_ready(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            if httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the server did not start:\n{server.log.read_text()[-4000:]}")


def _stop(process: "subprocess.Popen[bytes]") -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Any]:
    """Headless Chromium, started once for the session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


@dataclass
class Watched:
    """A page with what it raised: dialogs that opened and console errors it logged."""

    page: Any
    dialogs: list[str]
    errors: list[str]


@pytest.fixture
def watched(browser: Any, request: pytest.FixtureRequest) -> Iterator[Watched]:
    """A fresh browser context and page; a screenshot of it is saved when the test ends."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    dialogs: list[str] = []
    errors: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.on("console", lambda message: _console(message, errors))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield Watched(page, dialogs, errors)
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        context.close()


def _console(message: Any, errors: list[str]) -> None:
    if message.type == "error":
        errors.append(f"{message.text} ({message.location.get('url')})")


def sign_in(page: Any, server: Server, token: str) -> None:
    """Sign in through the form, by keyboard: type the token and press Enter."""
    page.goto(f"{server.url}/")
    page.get_by_label("Your token").fill(token)
    page.get_by_label("Your token").press("Enter")
    page.wait_for_url(f"{server.url}/sets")


def by_id(page: Any, element_id: str) -> Any:
    """The element with this id (field ids hold dots, which CSS id selectors would read)."""
    return page.locator(f'[id="{element_id}"]')
