"""The pages' Jinja environment and the one way a route turns a template into a response.

Autoescaping is on for every template, so text reaches a page escaped unless a filter here
marks it safe after escaping it itself (`markdown`, `math_text`). Templates hold no inline
script, no `style=` and no `on*=` attribute: the Content-Security-Policy would block them.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from app import __version__
from app.html import html_environment
from app.reports.formatting import points
from app.web.markdown import markdown, markdown_inline, math_text

# Pages show one person's work: never kept by a shared cache, nor shown again from history
# after signing out.
PAGE_HEADERS = {"Cache-Control": "no-store"}


def render(
    request: Request, template: str, context: Mapping[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """A page: the template with the context, and who is signed in (set by `WebUser`)."""
    page = (
        _environment()
        .get_template(template)
        .render(
            **context,
            user=getattr(request.state, "web_user", None),
            csrf=getattr(request.state, "csrf", None),
            katex=bool(getattr(request.app.state, "katex", False)),
            version=__version__,
        )
    )
    return HTMLResponse(page, status_code=status_code, headers=PAGE_HEADERS)


def when(moment: datetime | None) -> str:
    """A time as the pages show it: minutes, in UTC."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@cache
def _environment() -> Environment:
    return html_environment(
        "app.web",
        {
            "markdown": markdown,
            "markdown_inline": markdown_inline,
            "math_text": math_text,
            "when": when,
            "points": points,
        },
    )
