"""The statistics of a problem set as one self-contained HTML file: no script, no URL.

Student text (wrong answers, and the notes and feedback beside them) reaches the page only
through Jinja's autoescaping; the charts are SVG data URIs; a Content-Security-Policy meta tag
forbids every fetch but inline styles and data images, so the file runs nothing when opened.
"""

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from jinja2 import Environment
from markupsafe import Markup

from app.grading.result import Verdict
from app.html import html_environment
from app.reports.formatting import percent, points
from app.stats.schemas import ProblemSetStats

if TYPE_CHECKING:
    from app.reports.charts import Chart

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
# Answers are at most a few thousand characters; a cell never needs more than this.
SHOWN_CHARS = 500
KEPT_CONTROLS = {"\n", "\t"}


@dataclass(frozen=True)
class Charts:
    """The report's charts; None where there is nothing to draw."""

    totals: "Chart | None"
    shares: "Chart | None"
    accuracy: "Chart | None"


def render_report(stats: ProblemSetStats) -> str:
    """The report as an HTML document."""
    # Imported here: matplotlib takes a quarter of a second to load, and a server that writes
    # no report should not wait for it before it answers.
    from app.reports.charts import accuracy_chart, shares_chart, totals_chart

    charts = Charts(
        totals=totals_chart(stats.totals, max_total=stats.max_total),
        shares=shares_chart(stats.fields),
        accuracy=accuracy_chart(stats.checkpoints),
    )
    template = _environment().get_template("report.html")
    return template.render(stats=stats, charts=charts, verdicts=list(Verdict), csp=Markup(CSP))


def untrusted(text: str) -> str:
    """Student text for a cell: control characters replaced, cut short when very long."""
    # Escaping is the template's job; this only keeps terminals' and layouts' havoc out.
    cleaned = "".join(
        "\N{REPLACEMENT CHARACTER}" if _is_control(char) else char for char in text[:SHOWN_CHARS]
    )
    return cleaned + ("\N{HORIZONTAL ELLIPSIS}" if len(text) > SHOWN_CHARS else "")


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" and char not in KEPT_CONTROLS


@cache
def _environment() -> Environment:
    return html_environment(
        "app.reports", {"points": points, "percent": percent, "untrusted": untrusted}
    )
