"""Statements and prompts from Markdown to HTML: raw HTML off, math left for the page's KaTeX.

`$...$` and `$$...$$` become `<span class="math inline">` and `<div class="math block">`
holding the TeX source as escaped text; the page's script typesets them, and where it cannot
the source stays readable.
"""

import re
from collections.abc import Sequence
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape
from mdit_py_plugins.dollarmath import dollarmath_plugin

# `$...$` in plain text such as feedback: no `$` inside, not empty, on one line.
INLINE_MATH = re.compile(r"\$([^$\n]+)\$")


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    dollarmath_plugin(parser, allow_labels=False, allow_digits=False, double_inline=True)
    # `$$...$$` inside a paragraph: displayed, but in a span, as a <div> may not sit in a <p>.
    parser.add_render_rule("math_inline_double", _display_in_paragraph)
    return parser


def _display_in_paragraph(
    _self: object, tokens: Sequence[Token], index: int, _options: OptionsDict, _env: EnvType
) -> str:
    return str(Markup('<span class="math display">{}</span>').format(tokens[index].content))


def markdown(text: str) -> Markup:
    """Markdown with math, as block HTML (paragraphs, lists)."""
    return Markup(_parser().render(text))


def markdown_inline(text: str) -> Markup:
    """Markdown with math, as inline HTML (no paragraph around it)."""
    return Markup(_parser().renderInline(text))


def math_text(text: str) -> Markup:
    """Plain text with `$...$` math: everything escaped, the math marked for typesetting."""
    # Feedback may quote what a student typed, so it gets no Markdown (no links, no emphasis).
    parts: list[str] = []
    last = 0
    for match in INLINE_MATH.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(Markup('<span class="math inline">{}</span>').format(match.group(1)))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)
