"""Put plan text into Markdown safely: inline text that cannot break a table or heading.

Titles and names land in headings, table cells and link labels. There a `|`
would split a cell, a newline would end a row, and `[`, `*` or `<` would start
markup the author never meant. These filters make such text render as typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from sales_handbook.plan.schema import CONTROL_CHARACTERS

_SPECIAL = re.compile(r"([\\`*_\[\]|#{}()!~])")
_SPACE = re.compile(r"\s+")
_HTML_BLOCK_START = re.compile(r"^([ \t]{0,3})<(?=[A-Za-z!?])")
_RAW_TEXT_TAG = re.compile(r"<(?=/?(?:script|style|textarea|title|xmp|iframe|noembed|noframes|noscript|plaintext)\b)",
                           re.IGNORECASE)
"""Tags whose content HTML parsers read as raw text up to the closing tag: if Markdown mangles that
closing tag (attr_list, escaping), the sanitizer would see the rest of the page as their content."""


def inline(text: object) -> str:
    """Text for a heading, table cell or link label: one line, Markdown characters escaped."""
    return _inline(str(text))


@lru_cache(maxsize=1 << 16)
def _inline(text: str) -> str:
    """Cached: a title is escaped again on every page that links to it."""
    flat = _SPACE.sub(" ", CONTROL_CHARACTERS.sub("", text)).strip()
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", flat)


def block(text: object) -> str:
    """Markdown prose from the plan, as written, without trailing blank space.

    A line that starts with an HTML tag or comment is shown as text: Markdown would open a
    raw HTML block there, and an unclosed one (`<div>`) swallows the rest of the page,
    headings and anchors included. HTML inside a line stays, and the sanitizer cleans it.

    Plan text may not name elements: an `id` (or `name`) would give the page a second
    element with the id of a section or goal, and links would land on the forgery. So
    `id` and `name` attributes leave its HTML tags, and attribute lists (`{: #goals }`,
    `{#x}`, `{ id=x }`) are shown as text. Code spans are left as written.
    """
    lines = (line.rstrip() for line in str(text).strip().splitlines())
    return _outside_code(_unnamed, "\n".join(_RAW_TEXT_TAG.sub("&lt;", _HTML_BLOCK_START.sub(r"\1&lt;", line))
                                             for line in lines))


_CODE_SPAN = re.compile(r"(`+)(?:.*?[^`])?\1(?!`)", re.DOTALL)
_TAG = re.compile(r"<[A-Za-z][^<>]*>")
"""An HTML start tag, over lines too: Markdown passes a tag that spans lines within a paragraph."""
_NAMING_ATTRIBUTE = re.compile(
    r"""(?<=[\s/"'])(?:id|name)\s*(?:=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?(?:(?=[/>])|\s+|$)""", re.IGNORECASE)
"""An id or name attribute; browsers also read one that follows a `/` or a closing quote."""
_SPACE_BEFORE_END = re.compile(r"\s+(?=/?>$)")
_ATTRIBUTE_LIST = re.compile(r"\{(?=[^}\n]*\})")


def _outside_code(change: Callable[[str], str], text: str) -> str:
    """`text` with `change` applied to what is outside its code spans."""
    parts, last = [], 0
    for span in _CODE_SPAN.finditer(text):
        parts += [change(text[last:span.start()]), span.group()]
        last = span.end()
    return "".join([*parts, change(text[last:])])


def _unnamed(text: str) -> str:
    """Text whose HTML tags set no id or name and whose braces start no attribute list."""
    text = _TAG.sub(lambda tag: _SPACE_BEFORE_END.sub("", _NAMING_ATTRIBUTE.sub("", tag.group())), text)
    return _ATTRIBUTE_LIST.sub(r"\\{", text)


@lru_cache(maxsize=1 << 14)
def number(value: float | int | None, unit: str = "") -> str:
    """A figure the way people read it: 1,250,000 EUR, 12.5 %, 40 customers.

    Cached: a plan repeats its figures and units, and pages show each about 150,000 times.
    """
    if value is None:
        return "—"
    shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    if not unit:
        return shown
    return f"{shown}{unit}" if unit == "%" else f"{shown} {inline(unit)}"


def percent(fraction: float | None) -> str:
    """0.423 -> '42%'."""
    return "—" if fraction is None else f"{round(fraction * 100)}%"


def collapse_blank_lines(markdown: str) -> str:
    """Strip trailing spaces, keep at most one blank line in a row, end with one newline."""
    lines = [line.rstrip() for line in markdown.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n") + "\n"
