"""The report's charts: matplotlib figures rendered to SVG and embedded as data URIs.

No pyplot: figures are built directly on the SVG canvas, so no global backend is chosen and no
figure outlives its call. Labels hold field ids only, never student text. Each bar carries a
`gid` (it becomes the id of its SVG group) so a reader, or a test, can find it again.
"""

import base64
import io
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter
from matplotlib.typing import RcKeyType

from app.grading.result import Verdict
from app.reports.formatting import percent, plural, points
from app.stats.schemas import CheckpointStats, Distribution, FieldStats, Histogram

# Okabe-Ito colours: told apart with every common colour-vision deficiency.
VERDICT_COLOURS = {
    Verdict.CORRECT: "#009E73",
    Verdict.PARTIAL: "#E69F00",
    Verdict.INCORRECT: "#D55E00",
    Verdict.INVALID: "#999999",
}
BAR_COLOUR = "#0072B2"
WIDTH_IN = 7.0
LABEL_CHARS = 40
# Read when a figure is written, not when it is built: a fixed salt makes the SVG ids (and so
# two renders of the same data) equal; text stays text, small and searchable.
SVG_SETTINGS: dict[RcKeyType, str] = {"svg.hashsalt": "dlgrade-report", "svg.fonttype": "none"}
NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
# rcParams are process-wide: one writer at a time, restored afterwards.
_SAVING = threading.Lock()


@dataclass(frozen=True)
class Chart:
    """An embeddable chart: the image as a data URI and the text that stands in for it."""

    uri: str
    alt: str


def totals_chart(totals: Distribution, *, max_total: float) -> Chart | None:
    """A histogram of the students' totals, in points; None when nobody has a grade."""
    bins = list(_bins(totals.histogram))
    if totals.count == 0 or not bins:
        return None
    figure, axes = _figure(height=3.2)
    _draw_bins(axes, bins, gid="totals-bin")
    low, high = min(0.0, bins[0][0]), max(max_total, bins[-1][1])
    if high > low:  # a problem set worth no points has bins of no width
        axes.set_xlim(low, high)
    axes.set_title("Totals")
    axes.set_xlabel(f"Total (points, of {points(max_total)})")
    axes.set_ylabel("Students")
    return Chart(_data_uri(figure), _totals_alt(totals, bins))


def shares_chart(fields: Sequence[FieldStats]) -> Chart | None:
    """Stacked bars, one per field: the share of each verdict; None when nothing was answered."""
    if not any(field.answered for field in fields):
        return None
    figure, axes = _figure(height=1.5 + 0.32 * len(fields))
    rows = range(len(fields))
    left = [0.0] * len(fields)
    for verdict, colour in VERDICT_COLOURS.items():
        widths = [100 * field.shares.get(verdict, 0.0) for field in fields]
        bars = axes.barh(rows, widths, left=left, color=colour, label=verdict.value)
        for row, bar in enumerate(bars):
            bar.set_gid(f"share-{verdict.value}-{row}")
        left = [start + width for start, width in zip(left, widths, strict=True)]
    axes.set_yticks(list(rows), [_label(field.field) for field in fields], parse_math=False)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.xaxis.set_major_formatter(PercentFormatter(100))
    axes.set_title("Verdicts per field")
    axes.set_xlabel("Share of the students who answered")
    figure.legend(loc="outside lower center", ncols=len(VERDICT_COLOURS), frameon=False)
    return Chart(_data_uri(figure), _shares_alt(fields))


def accuracy_chart(checkpoints: Sequence[CheckpointStats]) -> Chart | None:
    """Histograms of measured test accuracy, one per model field; None when none was measured."""
    measured = [stats for stats in checkpoints if stats.accuracy.count > 0]
    if not measured:
        return None
    figure = _new_figure(height=1.0 + 2.0 * len(measured))
    for index, stats in enumerate(measured):
        axes = figure.add_subplot(len(measured), 1, index + 1)
        _draw_bins(axes, list(_bins(stats.accuracy.histogram)), gid=f"accuracy-{index}-bin")
        axes.set_xlim(0, 1)
        axes.xaxis.set_major_formatter(PercentFormatter(1))
        axes.set_title(_label(stats.field), parse_math=False)
        axes.set_xlabel("Measured test accuracy")
        axes.set_ylabel("Models")
    return Chart(_data_uri(figure), _accuracy_alt(measured))


def _bins(histogram: Histogram) -> Iterator[tuple[float, float, int]]:
    """(left edge, right edge, count) of each bin."""
    edges = histogram.edges
    yield from zip(edges, edges[1:], histogram.counts, strict=False)


def _draw_bins(axes: Axes, bins: Sequence[tuple[float, float, int]], *, gid: str) -> None:
    lefts = [left for left, _, _ in bins]
    widths = [right - left for left, right, _ in bins]
    counts = [count for _, _, count in bins]
    bars = axes.bar(lefts, counts, width=widths, align="edge", color=BAR_COLOUR, edgecolor="white")
    for index, bar in enumerate(bars):
        bar.set_gid(f"{gid}-{index}")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def _figure(*, height: float) -> tuple[Figure, Axes]:
    figure = _new_figure(height=height)
    return figure, figure.add_subplot()


def _new_figure(*, height: float) -> Figure:
    figure = Figure(figsize=(WIDTH_IN, height), layout="constrained")
    FigureCanvasSVG(figure)
    return figure


def _data_uri(figure: Figure) -> str:
    """The figure as an SVG data URI, without the XML prolog, doctype or metadata."""
    buffer = io.StringIO()
    with _SAVING, matplotlib.rc_context(SVG_SETTINGS):
        figure.savefig(buffer, format="svg", metadata=NO_METADATA)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def _totals_alt(totals: Distribution, bins: Sequence[tuple[float, float, int]]) -> str:
    left, right, count = max(bins, key=lambda item: item[2])
    return (
        f"Histogram of the totals of {plural(totals.count, 'student')} in {len(bins)} bins from "
        f"{points(bins[0][0])} to {points(bins[-1][1])} points; the fullest bin, "
        f"{points(left)} to {points(right)} points, holds {plural(count, 'student')}."
    )


def _shares_alt(fields: Sequence[FieldStats]) -> str:
    answered = [field for field in fields if field.answered]
    hardest = min(answered, key=lambda field: field.shares.get(Verdict.CORRECT, 0.0))
    correct = hardest.shares.get(Verdict.CORRECT, 0.0)
    return (
        f"Stacked horizontal bars, one per field ({len(fields)} fields): the share of answers "
        f"that were correct, partial, incorrect or invalid. Fewest correct: {hardest.field}, "
        f"{percent(correct)}."
    )


def _accuracy_alt(measured: Sequence[CheckpointStats]) -> str:
    parts = [
        f"{stats.field}: {plural(stats.accuracy.count, 'model')} from "
        f"{percent(stats.accuracy.minimum)} to {percent(stats.accuracy.maximum)}"
        for stats in measured
    ]
    return "Histograms of measured test accuracy, one per model field. " + "; ".join(parts) + "."


def _label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "\N{HORIZONTAL ELLIPSIS}"
