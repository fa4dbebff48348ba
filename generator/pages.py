"""Render a plan into Markdown pages and the navigation that lists them.

Pure: a `Plan` goes in, `{page path: Markdown}` comes out, the same bytes for
the same plan. The words live in Jinja templates under `templates/`; this
module only decides which page gets which template and data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from generator import alignment, health, lineage, mdtext, rules, status, urls
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


@cache
def svg_environment() -> jinja2.Environment:
    """The same templates and filters, autoescaped: in SVG drawings, plan text must never become markup."""
    return _environment().overlay(autoescape=True)


FIGURE_PREFIX = "handbook-figure-"
FIGURE_SEPARATOR = "--"
"""Joins the parts of a figure id; plan ids never hold two hyphens in a row, so the parts stay apart."""


def figure_slot(kind: str, *ids: str) -> str:
    """Where a page shows a drawing, filled by `generator.figures` after Markdown: 'map' (+ objective id),
    'goal' + goal id, 'metric' + objective id + metric id."""
    return f'<div id="{FIGURE_PREFIX}{FIGURE_SEPARATOR.join((kind, *ids))}"></div>'


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


def plan_pages(plan: Plan, findings: Sequence[health.Finding] | None = None) -> list[Page]:
    """Every page of the handbook, in navigation order.

    `findings` are the alignment findings to show, when they were found on more of
    the plan than this (the whole plan, before `audience` left items out); by
    default the rules run on `plan` itself.
    """
    pages = [
        Page(urls.HOME, "home.md.j2", {}),
        Page(urls.MISSION, "mission.md.j2", {}),
        Page(urls.OBJECTIVES, "objectives.md.j2", {}),
        *(Page(urls.objective_page(o.id), "objective.md.j2", {"objective": o}) for o in plan.objectives),
        Page(urls.TEAMS, "teams.md.j2", {}),
        *(Page(urls.department_page(d.value), "department.md.j2", {"department": d, "teams": teams})
          for d, teams in alignment.teams_by_department(plan.teams)),
        *(Page(urls.team_page(t.id), "team.md.j2", {"team": t}) for t in plan.teams),
        *_alignment_pages(plan, health.findings(plan) if findings is None else tuple(findings)),
        Page(urls.BENEFITS, "benefits.md.j2", {}),
        Page(urls.REVIEWS, "reviews.md.j2", {}),
        Page(urls.CHANGES, "changes.md.j2", {}),
        *(Page(urls.review_page(r.period), "review.md.j2", {"review": r}) for r in plan.reviews),
    ]
    return pages


def _alignment_pages(plan: Plan, found: tuple[health.Finding, ...]) -> list[Page]:
    """Health, map, matrix, progress and the rules: how well the plan aligns, and how that is judged."""
    return [
        Page(urls.HEALTH, "health.md.j2", {"findings": found}),
        Page(urls.ALIGNMENT_MAP, "map.md.j2", {}),
        Page(urls.MATRIX, "matrix.md.j2", {}),
        Page(urls.PROGRESS, "progress.md.j2", {}),
        Page(urls.RULES, "rules.md.j2", {"findings": found}),
        *(Page(urls.rule_page(r.id), "rule.md.j2", {"rule": r, "findings": health.of_rule(found, r.id)})
          for r in rules.catalogue()),
    ]


def render_page(plan: Plan, page: Page, comparisons: Comparisons = Comparisons(),
                known: lineage.Lineage | None = None) -> str:
    """The Markdown of one page."""
    template = _environment().get_template(page.template)
    text = template.render(
        plan=plan,
        comparisons=comparisons,
        lineage=known or lineage.of(plan),
        org=plan.organization,
        page=page.path,
        link=_linker(page.path),
        urls=urls,
        alignment=alignment,
        progress=_progress,
        assess=lambda measure: status.assess_measure(plan, measure),
        as_of=status.as_of(plan),
        figure=figure_slot,
        health=health,
        rules=rules,
        status=status,
        **page.context,
    )
    return mdtext.collapse_blank_lines(text)


def render(plan: Plan, findings: Sequence[health.Finding] | None = None,
           comparisons: Comparisons = Comparisons()) -> dict[str, str]:
    """Every page of the handbook as Markdown, keyed by its path under the docs folder.

    `comparisons` (what changed since the previous published version, and per
    review) comes from the published history; without it the pages say so.
    Two pages with one path would silently keep only the last, so that is an error.
    `findings` as for `plan_pages`.
    """
    rendered: dict[str, str] = {}
    known = lineage.of(plan)
    for page in plan_pages(plan, findings):
        if page.path in rendered:
            raise ValueError(f"two pages would be written to {page.path}")
        rendered[page.path] = render_page(plan, page, comparisons, known)
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
        {"Alignment": [
            urls.HEALTH,
            {"Alignment map": urls.ALIGNMENT_MAP},
            {"Team × objective matrix": urls.MATRIX},
            {"Progress and status": urls.PROGRESS},
            {"Rules": [urls.RULES, *({r.title: urls.rule_page(r.id)} for r in rules.catalogue())]},
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
    if measure.target is None:
        return None
    return alignment.progress(measure.baseline, measure.target, measure.current, measure.direction)
