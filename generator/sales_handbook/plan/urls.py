"""Where every page lives: the one place that turns ids into paths, URLs and links.

Pages are Markdown files relative to the docs folder; MkDocs serves
`objectives/<id>.md` at `/objectives/<id>/`. URLs come from ids only, never
from titles, so a link pasted into a performance review keeps working.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache

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

CHANGES = "changes.md"

SNAPSHOT = "plan.json"
"""The validated plan as data, at the root of every built site."""
HISTORY = "history.json"
"""Values over time (`model/trends.py`), beside plan.json in every site: what the next build carries forward."""
PERMALINKS_SCRIPT = "assets/javascripts/handbook-permalinks.js"
"""Forwards a link to a section that moved (`/teams/a/#goal` after the goal moved to team b)."""


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


def rule_page(rule_id: str) -> str:
    """The documentation page of one alignment rule."""
    return f"alignment/rules/{rule_id}.md"


GOALS = "goals"
PEOPLE = "people"
ADDRESS_ONLY_FOLDERS = (GOALS, PEOPLE)
"""Folders of permanent addresses only (a redirect per goal and person, a page per retired one), no navigation page.

They are nearly all of a large site's folders, and change little from one build to the next: `handbook build`
keeps them from the previous site and brings them up to date (`sales_handbook.speed.recycling`)."""


def goal_page(goal_id: str) -> str:
    """The permanent address of a goal: it leads to the goal's section on its team's page, wherever that is."""
    return f"{GOALS}/{goal_id}.md"


def person_page(person_id: str) -> str:
    """The page of one person, and their permanent address (before it had a page of its own, it led to the
    person's section on their team's page, which is still there)."""
    return f"{PEOPLE}/{person_id}.md"


def permanent_page(kind: str, item_id: str) -> str:
    """The permanent address of any item ('goal', 'team', 'objective' or 'person'), from its id only."""
    pages = {"goal": goal_page, "team": team_page, "objective": objective_page, "person": person_page}
    return pages[kind](item_id)


KEY_METRIC_SEPARATOR = "/"
"""Key metric ids are unique only within their objective: a spreadsheet row names one as `objective/metric`."""


def key_metric_ref(objective_id: str, metric_id: str) -> str:
    """How a spreadsheet row names a key metric (`grow-recurring-revenue/arr`); goals are named by their id."""
    return f"{objective_id}{KEY_METRIC_SEPARATOR}{metric_id}"


def parse_key_metric_ref(ref: str) -> tuple[str, str] | None:
    """The objective and metric ids of `key_metric_ref`'s text, or None for a goal's id."""
    objective_id, separator, metric_id = ref.partition(KEY_METRIC_SEPARATOR)
    return (objective_id, metric_id) if separator else None


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


def site_file(page: str) -> str:
    """The HTML file a page becomes in the built site (`goals/x.md` -> `goals/x/index.html`)."""
    return url(page) + "index.html"


def site_href(from_page: str, to_page: str, anchor: str | None = None) -> str:
    """A relative URL between two built pages, for HTML written outside Markdown (redirects).

    Relative, so it works under any base path and inside every published version.
    """
    start = url(from_page) or "."
    target = posixpath.relpath(url(to_page) or ".", start)
    return ("./" if target == "." else target + "/") + (f"#{anchor}" if anchor else "")
