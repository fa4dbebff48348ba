"""Where every page lives: the one place that turns ids into paths, URLs and links.

Pages are Markdown files relative to the docs folder; MkDocs serves
`objectives/<id>.md` at `/objectives/<id>/`. URLs come from ids only, never
from titles, so a link pasted into a performance review keeps working.
"""

from __future__ import annotations

from functools import lru_cache

HOME = "index.md"
MISSION = "mission.md"
OBJECTIVES = "objectives/index.md"
TEAMS = "teams/index.md"
BENEFITS = "benefits.md"
REVIEWS = "reviews/index.md"


def objective_page(objective_id: str) -> str:
    """The page of one objective."""
    return f"objectives/{objective_id}.md"


def team_page(team_id: str) -> str:
    """The page of one team; its goals and people are sections of it."""
    return f"teams/{team_id}.md"


def department_page(department: str) -> str:
    """The overview of one department's teams (its own folder, so no team id can collide)."""
    return f"departments/{department}/index.md"


def team_group_page(department: str, key: tuple[int, ...]) -> str:
    """The overview of one alphabetical range of a large department's teams (`departments/sales/3/`).

    Ranges move as teams come and go, so these pages are for browsing, not for
    pasting: team URLs never depend on them.
    """
    return f"departments/{department}/{'/'.join(str(part) for part in key)}/index.md"


def review_page(period: str) -> str:
    """The page of one quarterly review."""
    return f"reviews/{period}.md"


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
    target = "" if from_page == to_page else _relative(from_page, to_page)
    return target + (f"#{anchor}" if anchor else "")


@lru_cache(maxsize=1 << 16)
def _relative(from_page: str, to_page: str) -> str:
    """`posixpath.relpath` for two page paths, without its disk access: pages link to pages thousands of times."""
    start = from_page.split("/")[:-1]
    target = to_page.split("/")
    common = 0
    while common < min(len(start), len(target)) and start[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + target[common:]) or "."
