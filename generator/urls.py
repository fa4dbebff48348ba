"""Where every page lives: the one place that turns ids into paths, URLs and links.

Pages are Markdown files relative to the docs folder; MkDocs serves
`objectives/<id>.md` at `/objectives/<id>/`. URLs come from ids only, never
from titles, so a link pasted into a performance review keeps working.
"""

from __future__ import annotations

import posixpath

HOME = "index.md"
MISSION = "mission.md"
OBJECTIVES = "objectives/index.md"
TEAMS = "teams/index.md"
BENEFITS = "benefits.md"
REVIEWS = "reviews/index.md"
HEALTH = "alignment/index.md"
ALIGNMENT_MAP = "alignment/map.md"
MATRIX = "alignment/matrix.md"
PROGRESS = "alignment/progress.md"
RULES = "alignment/rules/index.md"


def objective_page(objective_id: str) -> str:
    """The page of one objective."""
    return f"objectives/{objective_id}.md"


def team_page(team_id: str) -> str:
    """The page of one team; its goals and people are sections of it."""
    return f"teams/{team_id}.md"


def department_page(department: str) -> str:
    """The overview of one department's teams (its own folder, so no team id can collide)."""
    return f"departments/{department}/index.md"


def review_page(period: str) -> str:
    """The page of one quarterly review."""
    return f"reviews/{period}.md"


def rule_page(rule_id: str) -> str:
    """The documentation page of one alignment rule."""
    return f"alignment/rules/{rule_id}.md"


def url(page: str, anchor: str | None = None) -> str:
    """The site-relative URL a reader sees for a page (`objectives/growth/`)."""
    if page == HOME:
        path = ""
    elif page.endswith("/index.md"):
        path = page.removesuffix("index.md")
    else:
        path = page.removesuffix(".md") + "/"
    return path + (f"#{anchor}" if anchor else "")


def href(from_page: str, to_page: str, anchor: str | None = None) -> str:
    """A relative Markdown link from one page to another, which MkDocs checks and rewrites."""
    if from_page == to_page:
        target = ""
    else:
        target = posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")
    return target + (f"#{anchor}" if anchor else "")


def relative_url(from_page: str, to_page: str, anchor: str | None = None) -> str:
    """The URL of a page as seen from another page's URL: for links MkDocs does not rewrite (inline SVG)."""
    here, there = url(from_page).rstrip("/") or ".", url(to_page).rstrip("/") or "."
    path = posixpath.relpath(there, here)
    path = "" if path == "." else path + "/"
    return path + (f"#{anchor}" if anchor else "") or "./"
