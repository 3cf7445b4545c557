"""Every HTML page carries the Content-Security-Policy and its companions, and no template
holds what that policy would block: inline scripts, style attributes, event handlers."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.web.security import CSP
from tests.conftest import People
from tests.web.conftest import SignedIn, browser

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "web" / "templates"


class Inline(HTMLParser):
    """Collects what a strict policy blocks: inline scripts, style attributes, on* handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.blocked.append("inline <script>")
        if tag == "style":
            self.blocked.append("<style>")
        self.blocked += [
            f"{tag} {name}=" for name in names if name == "style" or name.startswith("on")
        ]


def blocked(html: str) -> list[str]:
    parser = Inline()
    parser.feed(html)
    return parser.blocked


def pages(alice: SignedIn) -> dict[str, tuple[int, str, dict[str, str]]]:
    """Every kind of page a student meets: path -> (status, body, headers)."""
    submitted = alice.client.post(
        "/sets/dl-ex1/submissions",
        data={"answer:q1.a": "m x 10", "csrf": alice.csrf},
        follow_redirects=False,
    )
    paths = ["/sets", "/sets/dl-ex1", "/sets/eecs182-hw5", submitted.headers["location"]]
    paths += ["/sets/no-such-set", "/submissions/ffffffff-ffff-ffff-ffff-ffffffffffff"]
    seen = {path: alice.client.get(path) for path in paths}
    refused = alice.client.post("/sets/dl-ex1/submissions", data={"csrf": alice.csrf})
    seen["nothing typed"] = refused
    return {path: (r.status_code, r.text, dict(r.headers)) for path, r in seen.items()}


def test_every_page_has_the_policy_and_nothing_it_blocks(alice: SignedIn, app: FastAPI) -> None:
    seen = pages(alice)
    signed_out = browser(app)
    for path in ("/", "/signin"):
        response = signed_out.get(path) if path == "/" else signed_out.post(path, data={})
        seen[path] = (response.status_code, response.text, dict(response.headers))
    assert {status for status, _, _ in seen.values()} >= {200, 401, 404, 422}
    for path, (_, html, headers) in seen.items():
        assert headers["content-security-policy"] == CSP, path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "same-origin", path
        assert headers["cache-control"] == "no-store", path
        assert blocked(html) == [], path


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda path: path.name)
def test_no_template_writes_what_the_policy_blocks(template: Path) -> None:
    source = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source)
    assert not re.search(r"\sstyle=", source)
    assert not re.search(r"\son[a-z]+=", source)
    assert "<style" not in source


def test_the_policy_allows_scripts_styles_and_fonts_from_the_site_only() -> None:
    directives = dict(part.strip().split(" ", 1) for part in CSP.split(";"))
    assert directives["default-src"] == "'none'"
    for name in ("script-src", "style-src", "font-src", "connect-src", "form-action"):
        assert directives[name] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'none'"
    assert "unsafe" not in CSP


def test_the_downloadable_report_keeps_its_own_policy(client: TestClient, people: People) -> None:
    response = client.get(
        "/api/v1/problem-sets/dl-ex1/report", headers=People.auth(people.instructor)
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-security-policy"] != CSP


def test_json_answers_get_no_page_policy(client: TestClient) -> None:
    response = client.get("/healthz")
    assert "content-security-policy" not in response.headers


def test_static_files_are_served_as_what_they_are(alice: SignedIn) -> None:
    for path, media_type in [
        ("/static/js/page.js", "text/javascript"),
        ("/static/css/app.css", "text/css"),
    ]:
        response = alice.client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media_type)
