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
    """Markdown prose from the plan, safe on its own: whatever engine turns it into HTML, it holds no HTML
    of its own, no link that runs script, and names no element.

    - Every `<` is shown as text, except one that opens a web or mail autolink: raw HTML is
      never passed through (an unclosed `<div>` would swallow the rest of the page, an
      `<img onerror>` would run script).
    - A link or image whose address has a scheme other than http, https or mailto (or hides
      one behind an entity) is shown as text: `javascript:`, `data:`, `vbscript:`...
    - Attribute lists (`{: #goals }`, `{#x}`, `{ onclick=... }`) are shown as text: an id would
      give the page a second element with the id of a section or goal.

    Where Markdown sees a code span is not decided here (an escaped backtick, a span that a
    heading cuts): `<` is escaped inside them too, which shows as `&lt;` there. Braces in a
    code span on one line are left as written. The handbook's own build sanitizes the HTML as
    well, as a second line.
    """
    lines = (line.rstrip() for line in str(text).strip().splitlines())
    return _outside_code(_no_attribute_lists, _inert("\n".join(lines)))


_CODE_SPAN = re.compile(r"(?<![`\\])(`+)(?:[^\n]*?[^`\n])?\1(?!`)")
_OPENING = re.compile(r"<(?!(?:https?://|mailto:)[^\s<>&]*>)", re.IGNORECASE)
"""A `<` that starts anything but a web or mail autolink."""
_INLINE_DESTINATION = re.compile(r"(\]\(\s*)(<[^>\n]*>|[^\s)]*)")
_REFERENCE_DESTINATION = re.compile(r"^([ \t]{0,3}\[[^\]\n]+\]:[ \t]*)(\S+)", re.MULTILINE)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_ATTRIBUTE_LIST = re.compile(r"\{(?=[^}\n]*\})")


def _outside_code(change: Callable[[str], str], text: str) -> str:
    """`text` with `change` applied to what is outside its code spans."""
    parts, last = [], 0
    for span in _CODE_SPAN.finditer(text):
        parts += [change(text[last:span.start()]), span.group()]
        last = span.end()
    return "".join([*parts, change(text[last:])])


def _inert(text: str) -> str:
    text = _OPENING.sub("&lt;", text)
    text = _INLINE_DESTINATION.sub(lambda m: m[0] if is_safe_destination(m[2]) else "]\\(" + m[0][2:], text)
    return _REFERENCE_DESTINATION.sub(lambda m: m[0] if is_safe_destination(m[2]) else "\\" + m[0].lstrip(), text)


def _no_attribute_lists(text: str) -> str:
    return _ATTRIBUTE_LIST.sub(r"\\{", text)


def is_safe_destination(destination: str) -> bool:
    """Whether a link's address is relative, or web or mail: not another scheme, nor one hidden by an entity,
    an escape or a control character before the first `/`, `?` or `#`."""
    address = destination[1:-1] if destination.startswith("<") and destination.endswith(">") else destination
    head = re.split(r"[/?#]", address, maxsplit=1)[0]
    if not any(mark in head for mark in ":&\\%") and not CONTROL_CHARACTERS.search(head):
        return True
    scheme = _SCHEME.match(head)
    return bool(scheme and scheme[1].lower() in SAFE_SCHEMES)


def collapse_blank_lines(markdown: str) -> str:
    """Strip trailing spaces, keep at most one blank line in a row, end with one newline."""
    lines = [line.rstrip() for line in markdown.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n") + "\n"
