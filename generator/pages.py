"""Render a plan into Markdown pages and the navigation that lists them.

Pure: a `Plan` goes in, `{page path: Markdown}` comes out, the same bytes for
the same plan. The words live in Jinja templates under `templates/`; this
module only decides which page gets which template and data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from generator import alignment, lineage, mdtext, urls
from generator.changes import Comparisons
from generator.model import Plan
from generator.schema import Category, Department, Direction, MetricKind, Measure

NavItem = str | dict[str, Any]


@dataclass(frozen=True)
class Page:
    """A page to write: its path under the docs folder, the template, and the data it shows."""

    path: str
    template: str
    context: dict[str, Any]


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
    )
    env.filters.update(
        inline=mdtext.inline,
        block=mdtext.block,
        number=mdtext.number,
        percent=mdtext.percent,
        label=label,
        time_frame=time_frame,
        date=long_date,
    )
    return env


def label(value: Category | Department | Direction | MetricKind | str) -> str:
    """The reader-facing name of an enum value: 'customer-service' -> 'Customer service'."""
    raw = value.value if hasattr(value, "value") else str(value)
    return raw.replace("-", " ").capitalize()


def long_date(value: dt.date) -> str:
    """`2026-12-31` -> '31 Dec 2026', unambiguous in every locale."""
    return f"{value.day} {value:%b %Y}"


def time_frame(measure: Measure) -> str:
    """'2026-Q4 (1 Oct – 31 Dec 2026)', 'due 15 Nov 2026', or 'not time-bound'."""
    bounds = measure.time_frame()
    if bounds is None:
        return "not time-bound"
    start, end = bounds
    if measure.period is not None:
        return f"{measure.period} ({long_date(start)} – {long_date(end)})"
    if measure.start is not None:
        return f"{long_date(start)} – {long_date(end)}"
    return f"due {long_date(end)}"


def plan_pages(plan: Plan) -> list[Page]:
    """Every page of the handbook, in navigation order."""
    pages = [
        Page(urls.HOME, "home.md.j2", {}),
        Page(urls.MISSION, "mission.md.j2", {}),
        Page(urls.OBJECTIVES, "objectives.md.j2", {}),
        *(Page(urls.objective_page(o.id), "objective.md.j2", {"objective": o}) for o in plan.objectives),
        Page(urls.TEAMS, "teams.md.j2", {}),
        *(Page(urls.department_page(d.value), "department.md.j2", {"department": d, "teams": teams})
          for d, teams in alignment.teams_by_department(plan.teams)),
        *(Page(urls.team_page(t.id), "team.md.j2", {"team": t}) for t in plan.teams),
        Page(urls.BENEFITS, "benefits.md.j2", {}),
        Page(urls.REVIEWS, "reviews.md.j2", {}),
        Page(urls.CHANGES, "changes.md.j2", {}),
        *(Page(urls.review_page(r.period), "review.md.j2", {"review": r}) for r in plan.reviews),
    ]
    return pages


def render_page(plan: Plan, page: Page, comparisons: Comparisons = Comparisons()) -> str:
    """The Markdown of one page."""
    template = _environment().get_template(page.template)
    text = template.render(
        plan=plan,
        comparisons=comparisons,
        lineage=lineage.of(plan),
        org=plan.organization,
        page=page.path,
        link=_linker(page.path),
        urls=urls,
        alignment=alignment,
        progress=_progress,
        **page.context,
    )
    return mdtext.collapse_blank_lines(text)


def render(plan: Plan, comparisons: Comparisons = Comparisons()) -> dict[str, str]:
    """Every page of the handbook as Markdown, keyed by its path under the docs folder.

    `comparisons` (what changed since the previous published version, and per
    review) comes from the published history; without it the pages say so.
    Two pages with one path would silently keep only the last, so that is an error.
    """
    rendered: dict[str, str] = {}
    for page in plan_pages(plan):
        if page.path in rendered:
            raise ValueError(f"two pages would be written to {page.path}")
        rendered[page.path] = render_page(plan, page, comparisons)
    return rendered


def render_template(name: str, **context: Any) -> str:
    """Render a template that is not a site page (a change report), with the pages' filters."""
    return mdtext.collapse_blank_lines(_environment().get_template(name).render(urls=urls, **context))


def navigation(plan: Plan) -> list[NavItem]:
    """The site navigation: sections with their overview page first, teams by department."""
    return [
        {"Home": urls.HOME},
        {"Mission and vision": urls.MISSION},
        {"Objectives": [urls.OBJECTIVES, *({o.title: urls.objective_page(o.id)} for o in plan.objectives)]},
        {"Teams": [
            urls.TEAMS,
            *({label(department): [urls.department_page(department.value),
                                   *({t.name: urls.team_page(t.id)} for t in teams)]}
              for department, teams in alignment.teams_by_department(plan.teams)),
        ]},
        {"Benefits": urls.BENEFITS},
        {"Review history": [urls.REVIEWS, {"What changed": urls.CHANGES},
                            *({_review_title(r): urls.review_page(r.period)} for r in plan.reviews)]},
    ]


def _review_title(review: Any) -> str:
    return f"{review.period} review"


def _linker(from_page: str) -> Callable[..., str]:
    def link(to_page: str, anchor: str | None = None) -> str:
        return urls.href(from_page, to_page, anchor)

    return link


def _progress(measure: Any) -> float | None:
    return alignment.progress(measure.baseline, measure.target, measure.current, measure.direction)
