"""Clean the HTML of generated pages so plan text can never run script in a reader's browser.

Text fields in the plan are Markdown, and Markdown lets raw HTML through:
`<script>`, `onerror=`, `javascript:` links. Many people edit the plan, so
every page is cleaned after Markdown conversion by nh3 (the Ammonia sanitizer),
with an allow-list of exactly what Python-Markdown and the handbook's extensions
(attr_list, tables, def_list, admonition, toc permalinks) produce.

Titles also reach the theme outside the page content: MkDocs and Material print
the site name and navigation titles as HTML, so those are escaped here too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import markupsafe
import nh3

from sales_handbook.site.pages import NavItem

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "blockquote", "pre", "code", "em", "strong",
    "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "dl", "dt", "dd",
    "table", "thead", "tbody", "tr", "th", "td",
    "a", "img", "div",
})
"""What Markdown produces for our pages; every other tag is removed (its text kept)."""

REMOVED_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "object", "embed", "noscript", "template", "textarea", "select", "svg", "math",
})
"""Tags whose content is code or markup, not text a reader should see: removed whole."""

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"id", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
"""Attributes kept per tag. No `on*` handler, no `style`, no `target`, no `srcset`."""

ADMONITION_TYPES = frozenset({
    "note", "abstract", "summary", "tldr", "info", "todo", "tip", "hint", "important", "success", "check",
    "done", "question", "help", "faq", "warning", "caution", "attention", "failure", "fail", "missing",
    "danger", "error", "bug", "example", "quote", "cite",
})
"""The admonition kinds Material for MkDocs styles (`!!! note`)."""

ALLOWED_CLASSES: dict[str, set[str]] = {
    "a": {"headerlink"},
    "div": {"admonition", *ADMONITION_TYPES},
    "p": {"admonition-title"},
}
"""Classes kept per tag: the toc permalink and admonitions, nothing that restyles the theme."""

URL_SCHEMES = frozenset({"http", "https", "mailto"})
"""Schemes allowed in `href` and `src`; relative links and `#anchors` are always kept."""

_SAFE_ID = re.compile(r"[A-Za-z0-9][\w.:-]*")
"""Ids the page may carry. Material's own elements use ids starting with `__` (`__config`), which plan
text must not shadow: `getElementById` would return the plan's element instead of the theme's."""


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        allowed_classes={tag: set(names) for tag, names in ALLOWED_CLASSES.items()},
        attribute_filter=_keep_attribute,
        url_schemes=set(URL_SCHEMES),
        strip_comments=True,
        link_rel=None,
    )


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "id" and not _SAFE_ID.fullmatch(value):
        return None
    if name == "align" and value not in ("left", "center", "right"):
        return None
    return value


_MARKUP = re.compile(r"""<!--.*?-->|<(script|style)\b((?:"[^"]*"|'[^']*'|[^'">])*)>.*?</\1\s*>"""
                     r"""|<[A-Za-z][^\s/>]*((?:"[^"]*"|'[^']*'|[^'">])*)>""", re.DOTALL | re.IGNORECASE)
"""A comment, a script or style element (its content is not markup), or a start tag, with its attributes."""
_ANY_ID = re.compile(r"""(?i)\sid\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+)""")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")


def repeated_ids(html: str) -> list[str]:
    """The ids that more than one element of a built page has, in order.

    Links, the table of contents and the permanent-link script each go to the first element with
    the id; a second one means a link can land on the wrong element.
    """
    candidates = [_id_value(raw) for raw in _ANY_ID.findall(html)]  # every id and more (in text too), fast
    if len(set(candidates)) == len(candidates):
        return []
    seen: set[str] = set()
    repeated: dict[str, None] = {}
    for markup in _MARKUP.finditer(html):
        attributes = markup.group(2) or markup.group(3)
        if not attributes or "id" not in attributes.lower():
            continue
        for attribute in _ATTRIBUTE.finditer(attributes):
            if attribute.group(1).lower() == "id" and attribute.group(2) is not None:
                value = _id_value(attribute.group(2))
                if value in seen:
                    repeated[value] = None
                seen.add(value)
    return list(repeated)


def _id_value(raw: str) -> str:
    """An attribute's value as the browser reads it: unquoted, entities decoded."""
    value = raw.strip("\"'")
    return markupsafe.Markup(value).unescape() if "&" in value else value


def clean_html(html: str) -> str:
    """The page's HTML with everything that could run script or restyle the theme removed."""
    return _cleaner().clean(html)


def theme_text(text: str) -> markupsafe.Markup:
    """Plan text as HTML for the places the theme prints it unescaped (site name, navigation titles).

    A `Markup` value also keeps Jinja's `| e` in the theme from escaping it a second time.
    """
    return markupsafe.escape(text)


def navigation_for_theme(nav: Sequence[NavItem]) -> list[NavItem]:
    """The navigation with every title passed through `theme_text`; page paths are kept as they are."""
    return [
        item if isinstance(item, str) else {
            theme_text(title): navigation_for_theme(value) if isinstance(value, list) else value
            for title, value in item.items()
        }
        for item in nav
    ]
