"""The rendered report: well-formed, inert (no script, no URL), numbers as in the statistics,
student text escaped, and charts that draw the data they are given."""

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.grading.result import Verdict
from app.reports.render import CSP, SHOWN_CHARS, render_report
from app.stats.schemas import ProblemSetStats
from tests.reports import cases
from tests.reports.html import SVG_NAMESPACE, Document, bars, numbers, svg_of

# Elements that load, embed or run something; a report needs none of them.
ACTIVE = {
    "script",
    "iframe",
    "frame",
    "object",
    "embed",
    "link",
    "base",
    "form",
    "audio",
    "video",
    "source",
    "applet",
}
# Where a number is shown with fewer digits than it has, how far off it may be.
ROUNDING = {"points": 0.005, "percent": 0.05}
CASE_IDS = list(cases.CASES)


@pytest.fixture(params=CASE_IDS)
def case(request: pytest.FixtureRequest) -> Callable[[], ProblemSetStats]:
    return cases.CASES[request.param]


def test_report_is_well_formed(case: Callable[[], ProblemSetStats]) -> None:
    stats = case()
    document = Document(render_report(stats))
    assert document.problems == []
    assert document.doctype is not None and document.doctype.lower() == "doctype html"
    (html,) = document.find("html")
    assert html.attrs.get("lang") == "en"
    assert any(
        "charset" in meta.attrs and meta.attrs["charset"] == "utf-8"
        for meta in document.find("meta")
    )
    (title,) = document.find("title")
    assert stats.title in title.text and stats.problem_set in title.text


def test_report_runs_and_fetches_nothing(case: Callable[[], ProblemSetStats]) -> None:
    html = render_report(case())
    document = Document(html)
    assert "<script" not in html.lower()
    assert {element.tag for element in document.elements} & ACTIVE == set()
    for element in document.elements:
        for name, value in element.attrs.items():
            assert not name.startswith("on"), (element.tag, name)
            assert not re.search(
                r"^\s*(javascript|vbscript|https?):|//", value or "", re.IGNORECASE
            ), (element.tag, name)
    # The charts are base64, so not even an SVG namespace URI shows: the only URLs are students'
    # text, in the cells of the wrong answers.
    cells = document.find("td", within="wrong-answers")
    assert len(re.findall("https?:", html)) == sum(
        len(re.findall("https?:", cell.text)) for cell in cells
    )
    for style in document.find("style"):
        assert "url(" not in style.text and "@import" not in style.text
    policies = [
        meta.attrs.get("content")
        for meta in document.find("meta")
        if meta.attrs.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policies == [CSP] == ["default-src 'none'; img-src data:; style-src 'unsafe-inline'"]


def test_images_are_svg_data_uris_with_alt_text(case: Callable[[], ProblemSetStats]) -> None:
    document = Document(render_report(case()))
    for image in document.find("img"):
        assert len(image.attrs.get("alt") or "") > 40
        svg = svg_of(image.attrs.get("src"))
        assert svg.tag == f"{SVG_NAMESPACE}svg"
        for element in svg.iter():
            assert not element.tag.endswith(("script", "foreignObject", "image"))
            assert not [name for name in element.attrib if name.startswith("on")]
            hrefs = [value for name, value in element.attrib.items() if name.endswith("href")]
            assert all(href.startswith("#") for href in hrefs), hrefs


def test_two_renders_are_equal(case: Callable[[], ProblemSetStats]) -> None:
    assert render_report(case()) == render_report(case())


def test_summary_shows_the_statistics() -> None:
    stats = cases.full()
    document = Document(render_report(stats))
    assert numbers(document.by_id("students").text) == [stats.students]
    shown = {
        "mean-total": [stats.totals.mean, stats.max_total],
        "median-total": [stats.totals.median, stats.max_total],
        "min-total": [stats.totals.minimum],
        "max-total": [stats.totals.maximum],
    }
    for element_id, expected in shown.items():
        assert numbers(document.by_id(element_id).text) == pytest.approx(
            expected, abs=ROUNDING["points"]
        )


def test_field_table_shows_each_field() -> None:
    stats = cases.full()
    rows = Document(render_report(stats)).rows("fields")
    assert [row[0] for row in rows] == [field.field for field in stats.fields]
    for row, field in zip(rows, stats.fields, strict=True):
        assert numbers(row[1]) == pytest.approx([field.max_score], abs=ROUNDING["points"])
        assert numbers(row[2]) == [field.answered]
        shares = [numbers(cell) for cell in row[3:7]]
        if field.answered:
            expected = [[100 * field.shares.get(verdict, 0.0)] for verdict in Verdict]
            assert shares == [pytest.approx(share, abs=ROUNDING["percent"]) for share in expected]
            assert numbers(row[7]) == pytest.approx([field.mean_score], abs=ROUNDING["points"])
        else:
            assert shares == [[]] * 4 and numbers(row[7]) == []


def test_wrong_answers_are_shown_as_text() -> None:
    stats = cases.full()
    html = render_report(stats)
    document = Document(html)
    expected = [
        [
            wrong.answer,
            str(wrong.count),
            wrong.verdict.value,
            wrong.note or "\N{EN DASH}",
            wrong.feedback,
        ]
        for field in stats.fields
        for wrong in field.common_wrong
    ]
    assert document.rows("wrong-answers") == [
        [" ".join(cell.split()) for cell in row] for row in expected
    ]
    # The markup arrived as text: escaped in the source, never an element.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert all(image.inside("charts") for image in document.find("img"))
    assert document.find("a") == [] and document.find("i") == []
    assert "49" not in document.by_id("wrong-answers").text


def test_very_long_and_control_characters_are_cut_and_replaced() -> None:
    stats = cases.full()
    long_answer = "W" * (SHOWN_CHARS * 20)
    field = stats.fields[0].model_copy(
        update={
            "common_wrong": [cases.wrong(long_answer, 2), cases.wrong("a\x00b\x1b[31mc\x7f", 1)]
        }
    )
    document = Document(render_report(stats.model_copy(update={"fields": [field]})))
    first, second = document.rows("wrong-answers")
    assert first[0] == "W" * SHOWN_CHARS + "\N{HORIZONTAL ELLIPSIS}"
    assert (
        second[0]
        == "a\N{REPLACEMENT CHARACTER}b\N{REPLACEMENT CHARACTER}[31mc\N{REPLACEMENT CHARACTER}"
    )


def test_checkpoint_table_shows_accuracies() -> None:
    stats = cases.full()
    rows = Document(render_report(stats)).rows("checkpoints")
    assert [row[0] for row in rows] == [checkpoint.field for checkpoint in stats.checkpoints]
    for row, checkpoint in zip(rows, stats.checkpoints, strict=True):
        accuracy = checkpoint.accuracy
        assert numbers(row[1]) == [accuracy.count]
        values = [accuracy.mean, accuracy.median, accuracy.minimum, accuracy.maximum]
        if accuracy.count:
            expected = [100 * value for value in values if value is not None]
            assert [number for cell in row[2:] for number in numbers(cell)] == pytest.approx(
                expected, abs=ROUNDING["percent"]
            )
        else:
            assert [numbers(cell) for cell in row[2:]] == [[]] * 4


def chart(document: Document, figure_id: str, pattern: str) -> list[dict[str, tuple[float, float]]]:
    """The bars whose ids match `pattern` in the chart of one figure; [] when it has no image."""
    return [
        bars(svg_of(image.attrs.get("src")), pattern)
        for image in document.find("img", within=figure_id)
    ]


def test_totals_histogram_draws_one_bar_per_bin() -> None:
    stats = cases.full()
    (drawn,) = chart(Document(render_report(stats)), "chart-totals", r"totals-bin-\d+")
    counts = stats.totals.histogram.counts
    heights = [drawn[f"totals-bin-{index}"][1] for index in range(len(counts))]
    assert len(drawn) == len(counts)
    assert sum(height > 0 for height in heights) == sum(count > 0 for count in counts)
    # Heights proportional to the counts: the y axis starts at zero.
    scale = max(heights) / max(counts)
    assert heights == pytest.approx([count * scale for count in counts], abs=0.01)
    widths = {round(drawn[f"totals-bin-{index}"][0], 3) for index in range(len(counts))}
    assert len(widths) == 1


def test_share_bars_are_as_long_as_the_shares() -> None:
    stats = cases.full()
    (drawn,) = chart(Document(render_report(stats)), "chart-shares", r"share-\w+-\d+")
    full_width = drawn["share-correct-3"][0]  # q3.c: every answer correct
    for row, field in enumerate(stats.fields):
        widths = [drawn[f"share-{verdict.value}-{row}"][0] for verdict in Verdict]
        shares = [field.shares.get(verdict, 0.0) for verdict in Verdict]
        assert widths == pytest.approx([share * full_width for share in shares], abs=0.01)


def test_accuracy_chart_draws_measured_fields_only() -> None:
    stats = cases.full()
    (drawn,) = chart(Document(render_report(stats)), "chart-accuracy", r"accuracy-\d+-bin-\d+")
    measured = [checkpoint for checkpoint in stats.checkpoints if checkpoint.accuracy.count]
    assert len(measured) == 1
    counts = measured[0].accuracy.histogram.counts
    heights = [drawn[f"accuracy-0-bin-{index}"][1] for index in range(len(counts))]
    assert len(drawn) == len(counts)
    scale = max(heights) / max(counts)
    assert heights == pytest.approx([count * scale for count in counts], abs=0.01)


@pytest.mark.parametrize(
    ("make", "figures"),
    [
        (cases.full, {"chart-totals": 1, "chart-shares": 1, "chart-accuracy": 1}),
        (cases.unanswered, {"chart-totals": 0, "chart-shares": 0}),
        (cases.empty, {"chart-totals": 0, "chart-shares": 0}),
    ],
    ids=["full", "unanswered", "empty"],
)
def test_charts_appear_only_with_data(
    make: Callable[[], ProblemSetStats], figures: dict[str, int]
) -> None:
    document = Document(render_report(make()))
    found = {
        figure.attrs["id"]: len(document.find("img", within=str(figure.attrs["id"])))
        for figure in document.find("figure")
    }
    assert found == figures
    if not all(figures.values()):
        assert "No student has a grade yet." in document.by_id("chart-totals").text


def test_empty_problem_set_says_so() -> None:
    document = Document(render_report(cases.empty()))
    assert numbers(document.by_id("students").text) == [0]
    assert document.by_id("mean-total").text == "\N{EN DASH} of 0"
    assert document.find("table") == []
    for section in ("fields", "wrong-answers", "checkpoints"):
        (paragraph,) = document.find("p", within=section)
        assert paragraph.attrs.get("class") == "empty"


def test_odd_field_ids_are_labels_in_the_chart() -> None:
    stats = cases.odd_field_ids()
    (image,) = Document(render_report(stats)).find("img", within="chart-shares")
    labels = {
        "".join(text.itertext())
        for text in svg_of(image.attrs.get("src")).iter(f"{SVG_NAMESPACE}text")
    }
    assert {"q$1$", "q<2>&amp;", "q\\frac{1}{2}"} <= labels
    assert "q_" + "x" * 37 + "\N{HORIZONTAL ELLIPSIS}" in labels


def test_renders_in_threads_are_equal() -> None:
    # FastAPI runs sync routes in a thread pool; the SVG settings are process-wide.
    with ThreadPoolExecutor(max_workers=4) as pool:
        renders = set(pool.map(lambda _: render_report(cases.full()), range(8)))
    assert len(renders) == 1
