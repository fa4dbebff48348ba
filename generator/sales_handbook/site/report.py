"""`handbook diff` output: the changes between two plans as text, Markdown or JSON.

The words are in templates (`changes.txt.j2`, `changes-report.md.j2`, which
shares its lists with the site's "What changed" page); JSON is the
`changes.Changes` value itself, for tools.
"""

from __future__ import annotations

from typing import Literal

from sales_handbook.model import changes
from sales_handbook.site import pages
from sales_handbook.model.changes import Changes

Format = Literal["text", "markdown", "json"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "json")


def render(found: Changes, fmt: Format) -> str:
    """The changes in one output format; same changes, same bytes."""
    if fmt == "json":
        return changes.to_json(found)
    template = "changes.txt.j2" if fmt == "text" else "changes-report.md.j2"
    return pages.render_template(template, changes=found)
