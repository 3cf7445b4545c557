"""KaTeX is served by the service itself from the npm install; without it the service still
starts, says so once in its log, and the pages show math as TeX source."""

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.engine import committed
from app.deps import get_session
from app.main import create_app
from app.services import Services
from app.web import endpoints
from app.web.endpoints import KATEX_DIR, KATEX_PATH
from tests.conftest import People
from tests.web.conftest import sign_in


def katex_installed() -> None:
    if not (KATEX_DIR / "katex.min.js").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"CI must install KaTeX (make: npm ci --prefix web) into {KATEX_DIR}")
        pytest.skip("KaTeX is not installed (npm ci --prefix web)")


def test_katex_is_served_from_the_service(app: FastAPI, people: People) -> None:
    katex_installed()
    alice = sign_in(app, people.alice)
    page = alice.client.get("/sets/dl-ex1").text
    assert f'<script src="{KATEX_PATH}/katex.min.js" defer></script>' in page
    assert f'href="{KATEX_PATH}/katex.min.css"' in page
    for path, media_type in [
        ("katex.min.js", "text/javascript"),
        ("katex.min.css", "text/css"),
        ("fonts/KaTeX_Main-Regular.woff2", "font/woff2"),
    ]:
        response = alice.client.get(f"{KATEX_PATH}/{path}")
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith(media_type), path


def test_without_katex_the_pages_show_the_tex_source(
    services: Services,
    session: Session,
    people: People,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(endpoints, "KATEX_DIR", tmp_path / "missing")
    with caplog.at_level(logging.WARNING, logger="app.web.endpoints"):
        app = create_app(services.settings)
    assert any("KaTeX is not installed" in record.getMessage() for record in caplog.records)
    app.state.services = services

    def test_session() -> Iterator[Session]:
        with committed(session) as unit:
            yield unit

    app.dependency_overrides[get_session] = test_session
    alice = sign_in(app, people.alice)
    page = alice.client.get("/sets/dl-ex1").text
    assert "katex" not in page
    assert '<span class="math inline">m</span>' in page
    assert alice.client.get(f"{KATEX_PATH}/katex.min.js").status_code == 404


def test_the_pages_settings_default_to_a_secure_cookie_and_a_kept_key() -> None:
    settings = Settings()
    assert settings.cookie_secure is True
    assert settings.secret_key is None
