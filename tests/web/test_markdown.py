"""Statements and feedback to HTML: markup in the text stays text, math is marked for KaTeX."""

import pytest

from app.web.markdown import markdown, markdown_inline, math_text

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<style>body{display:none}</style>",
    '"><svg onload=alert(1)>',
]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("render", [markdown, markdown_inline, math_text])
def test_markup_in_the_text_stays_text(render: object, text: str) -> None:
    html = str(render(text))  # type: ignore[operator]
    assert "<" not in html.replace("<p>", "").replace("</p>", "")
    assert "&lt;" in html


@pytest.mark.parametrize("text", HOSTILE)
def test_markup_inside_math_stays_text(text: str) -> None:
    for html in (str(markdown(f"${text}$")), str(math_text(f"${text}$"))):
        assert "<script" not in html and "<img" not in html and "<svg" not in html


def test_inline_and_display_math_are_marked_with_their_source() -> None:
    html = str(markdown(r"A batch of $m$ rows, and $$\frac{a}{b} < c$$ too."))
    assert '<span class="math inline">m</span>' in html
    assert r'<span class="math display">\frac{a}{b} &lt; c</span>' in html
    block = str(markdown("Before\n\n$$\n\\sum_i x_i\n$$\n"))
    assert '<div class="math block">' in block and "\\sum_i x_i" in block


def test_links_that_run_script_are_not_links() -> None:
    html = str(markdown("[click](javascript:alert(1)) and [ok](https://example.org)"))
    assert 'href="javascript' not in html
    assert 'href="https://example.org"' in html


def test_feedback_gets_math_but_no_markdown() -> None:
    html = str(math_text(r"$\gamma$ multiplies *x_hat*, see [here](https://evil.example)"))
    assert html.startswith(r'<span class="math inline">\gamma</span>')
    assert "<em>" not in html and "<a" not in html
