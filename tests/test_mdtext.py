"""Plan text placed in tables and headings renders as typed: properties over arbitrary text."""

from __future__ import annotations

import html as html_module
import re

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_handbook.site import mdtext

TEXT = st.text(min_size=1, max_size=60).filter(lambda s: mdtext.inline(s))
TABLE_TAGS = {"table", "thead", "tbody", "tr", "th", "td"}


def tags(html: str) -> set[str]:
    return {m.lower() for m in re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", html)}


@settings(max_examples=300)
@given(TEXT, TEXT)
def test_text_in_a_table_cell_keeps_the_columns_and_adds_no_markup(left: str, right: str) -> None:
    source = f"| A | B |\n| --- | --- |\n| {mdtext.inline(left)} | {mdtext.inline(right)} |\n"
    html = markdown.markdown(source, extensions=["tables"])
    assert html.count("<td") == 2
    assert tags(html) <= TABLE_TAGS


@settings(max_examples=300)
@given(TEXT)
def test_text_in_a_heading_keeps_its_anchor_and_adds_no_markup(title: str) -> None:
    source = f"### {mdtext.inline(title)} {{ #goal-id }}\n"
    html = markdown.markdown(source, extensions=["attr_list"])
    assert html.startswith('<h3 id="goal-id">') and html.count("<h3") == 1
    assert tags(html) == {"h3"}


@given(TEXT)
def test_inline_text_is_one_line(text: str) -> None:
    assert "\n" not in mdtext.inline(text)


def test_a_raw_text_tag_in_prose_cannot_swallow_the_rest_of_the_page() -> None:
    from sales_handbook.site import sanitize

    text = ('[styled](https://example.com/){ onmouseover="alert(1)" }'
            '<style>body { background: url(javascript:alert(1)) }</style>')
    source = f"## Goal {{ #goal }}\n\n{mdtext.block(text)}\n\n## After {{ #after }}\n\nmore\n"
    html = sanitize.clean_html(markdown.markdown(source, extensions=["attr_list", "tables", "toc"]))
    assert 'id="after"' in html and "more" in html


FRAGMENTS = ["<", ">", "<script>", "</div>", "<img src=x onerror=alert(1)>", "<a id='goals'>", "javascript:",
             "JaVaScRiPt:", "data:", "&#x09;", "&#106;", "[", "]", "(", ")", "![", "](", "]: ", "{: #goals }", "{#x}",
             "`", "\n", "\n\n", "    ", "https://example.com/", "mailto:a@b.c", "<https://x.y/>", "*", "_", "#",
             "x", " ", '"', "'", "=", "onclick", "\\", "<!--", "-->", "<svg onload=alert(1)>", "vbscript:", "\n# ", "\n## "]


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join))
@settings(max_examples=300, deadline=None)
def test_prose_is_safe_markdown_for_any_engine_on_its_own(text: str) -> None:
    """Without the handbook's sanitizer: plain Markdown makes no tag, attribute or link that the text chose."""
    html = markdown.markdown(mdtext.block(text), extensions=["attr_list", "tables", "def_list", "admonition", "toc"])
    tags = re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>", html)
    assert {name for name, _ in tags} <= {"p", "em", "strong", "code", "pre", "a", "img", "br", "hr", "h1", "h2",
                                         "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "table", "thead",
                                         "tbody", "tr", "th", "td", "dl", "dt", "dd", "div"}, html
    for name, attributes in tags:
        for attribute, value in re.findall(r'([a-zA-Z:-]+)="([^"]*)"', attributes):
            # toc names the headings the text makes; a page with two elements of one id fails the build
            assert attribute in {"href", "src", "alt", "title", "class", "align"} or (
                attribute == "id" and name in {"h1", "h2", "h3", "h4", "h5", "h6"}), html
            if attribute in {"href", "src"}:
                value = html_module.unescape(value)  # as the browser reads it (mail autolinks come as entities)
                assert mdtext.is_safe_destination(value) and not re.match(r"\s*(javascript|data|vbscript):",
                                                                          value, re.IGNORECASE), html
