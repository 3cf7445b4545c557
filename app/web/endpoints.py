"""The web pages as one router, and `mount_web(app)`: pages, static files and headers."""

import logging
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from app.web import (
    auth,
    batch,
    classwork,
    instructor,
    overrides,
    regrade_requests,
    roster,
    rules,
    student,
    ui,
)
from app.web.security import SecurityHeaders

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)
for part in (
    auth.router,
    student.router,
    ui.router,
    roster.router,
    classwork.router,
    batch.router,
    instructor.router,
    overrides.router,
    rules.router,
    regrade_requests.router,
):
    router.include_router(part)

STATIC_DIR = Path(__file__).resolve().parent / "static"
# Installed from the npm registry by `make` (npm ci --prefix web), never fetched at run time.
KATEX_DIR = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "katex" / "dist"
KATEX_PATH = "/static/vendor/katex"


def mount_web(app: FastAPI, *, katex_dir: Path | None = None) -> None:
    """Add the pages, their static files and KaTeX's; without KaTeX, math shows as TeX."""
    katex_dir = katex_dir or KATEX_DIR
    app.add_middleware(SecurityHeaders)
    app.include_router(router)
    app.state.katex = (katex_dir / "katex.min.js").is_file()
    if app.state.katex:
        # Before /static: the first mount whose prefix matches serves the request.
        app.mount(KATEX_PATH, StaticFiles(directory=katex_dir), name="katex")
    else:
        log.warning(
            "KaTeX is not installed at %s (run `make` or `npm ci --prefix web`): "
            "the pages show math as TeX source",
            katex_dir,
        )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
