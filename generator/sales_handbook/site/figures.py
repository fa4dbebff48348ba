"""Put the handbook's drawings (alignment maps, progress bars) into its pages as inline SVG.

A Markdown page holds only a slot (`pages.figure_slot`), an empty div
whose id says what to draw; the MkDocs plugin fills the slot after Markdown
has become HTML. So the drawings are never parsed as Markdown, never depend on
raw HTML surviving in page text (the SVG comes from our own templates, with
every plan text escaped), and need no script or CDN to show.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sales_handbook.model import status, trends as values_over_time
from sales_handbook.model.trends import Trends
from sales_handbook.plan import urls
from sales_handbook.site import diagrams, words
from sales_handbook.plan.plan import Plan
from sales_handbook.site.pages import FIGURE_PREFIX, FIGURE_SEPARATOR, svg_environment
from sales_handbook.plan.schema import KeyMetric, Measure

_SLOT = re.compile(rf'<div id="{FIGURE_PREFIX}([a-z0-9-]+)"></div>')


def render(plan: Plan, page: str, figure_id: str, trends: Trends | None = None) -> str:
    """The SVG for one slot on one page, or '' if the id names nothing in this plan; a progress bar has the
    number's trend beside it when `trends` (`model/trends.py`) holds two points or more."""
    language = plan.organization.language
    kind, *ids = figure_id.split(FIGURE_SEPARATOR)
    if kind == "map" and len(ids) <= 1:
        if ids and ids[0] not in plan.ids("objective"):
            return ""
        diagram = diagrams.alignment_map(plan, ids[0] if ids else None)
        if isinstance(diagram, diagrams.Summary):
            return _draw("map-summary.svg.j2", page, language, diagram=diagram, file=file_name(figure_id))
        return _draw("map.svg.j2", page, language, diagram=diagram, colours=diagrams.DEPARTMENT_COLOURS, file=file_name(figure_id))
    if kind in ("rollup", "rollup-mini") and len(ids) == 2:
        return _rollup(plan, page, ids[0], ids[1], mini=kind == "rollup-mini")
    measure = _measure(plan, "goal" if kind == "mini" else kind, ids)
    if measure is None or measure.target is None:
        return ""
    assessment = status.assess_measure(plan, measure)
    if kind == "mini":
        return _draw("mini.svg.j2", page, language, share=diagrams.mini_share(assessment, measure.direction), width=diagrams.MINI_WIDTH,
                     height=diagrams.MINI_HEIGHT, colour=diagrams.STATUS_COLOURS[assessment.status.value])
    bar = diagrams.progress_bar(measure.baseline, measure.target, measure.current, measure.direction, assessment,
                                measure.unit or "", words.words(language))
    caption = measure.name if isinstance(measure, KeyMetric) else None
    key = values_over_time.metric_key(ids[0], ids[1]) if kind == "metric" else values_over_time.goal_key(ids[0])
    trend = diagrams.trend(trends.get(key, ()), measure.target, measure.unit or "", words.words(language)) \
        if trends else None
    return _draw("bar.svg.j2", page, language, bar=bar, assessment=assessment, caption=caption, trend=trend,
                 target=measure.target, as_of=status.as_of(plan), colours=diagrams.STATUS_COLOURS)


def insert(html: str, drawn: Mapping[str, str]) -> str:
    """The page's HTML with every figure slot filled from `drawn` (slot id -> SVG, see `draw_page`)."""
    return _SLOT.sub(lambda match: drawn.get(match[1], ""), html)


def draw_page(plan: Plan, page: str, text: str, trends: Trends | None = None) -> dict[str, str]:
    """The figures of one page, by slot id, from its Markdown or HTML (where the slots are)."""
    return {figure_id: render(plan, page, figure_id, trends) for figure_id in _SLOT.findall(text)}


def inline(markdown: str, plan: Plan, page: str, trends: Trends | None = None) -> str:
    """A page's Markdown with its figures in it, for an engine without the handbook's plugin: each slot (a line
    of its own) becomes the drawing, a raw HTML block of lines without blank ones."""
    return _SLOT.sub(lambda match: render(plan, page, match[1], trends), markdown)


def draw_all(plan: Plan, markdown: Mapping[str, str], trends: Trends | None = None) -> dict[str, dict[str, str]]:
    """Every figure of every page, by page and slot id, from the pages' Markdown (where the slots already are).

    `handbook build` has a forked worker draw them while MkDocs converts the pages.
    """
    return {page: draw_page(plan, page, text, trends) for page, text in markdown.items() if FIGURE_PREFIX in text}


def file_name(figure_id: str) -> str | None:
    """The file beside its page that holds a map on its own, to open it full size (`files`); None for a bar."""
    return f"{figure_id}.svg" if figure_id.split(FIGURE_SEPARATOR)[0] == "map" else None


def files(drawn: Mapping[str, str]) -> dict[str, str]:
    """The maps among a page's figures as SVG files, by file name: the drawing alone, links as on the page
    (the file is in the page's folder, so they lead to the same places)."""
    found = {}
    for figure_id, html in drawn.items():
        name = file_name(figure_id)
        if name is not None and "<svg" in html:
            svg = html[html.index("<svg"):html.rindex("</svg>") + len("</svg>")]
            found[name] = '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n"
    return found


def _measure(plan: Plan, kind: str, ids: list[str]) -> Measure | KeyMetric | None:
    if kind == "goal" and len(ids) == 1:  # lookups, not scans: every goal of the plan has a bar
        if ids[0] in plan.ids("goal"):
            return plan.goal(ids[0])[1]
        try:
            return plan.individual_goal(ids[0])[2]
        except KeyError:
            return None
    if kind == "metric" and len(ids) == 2 and ids[0] in plan.ids("objective"):
        return next((m for m in plan.objective(ids[0]).key_metrics if m.id == ids[1]), None)
    return None


def _rollup(plan: Plan, page: str, scope: str, scope_id: str, *, mini: bool) -> str:
    """A roll-up's stacked bar ('objective', 'department', 'team' or 'person' + id), or '' with nothing to count."""
    try:
        found = status.rollup_of(plan, scope, scope_id)
    except (KeyError, ValueError):
        return ""
    if not found.total:
        return ""
    width = diagrams.ROLLUP_MINI_WIDTH if mini else diagrams.ROLLUP_WIDTH
    return _draw("rollup.svg.j2", page, plan.organization.language, segments=diagrams.rollup_bar(found, width),
                 width=width, height=diagrams.ROLLUP_HEIGHT, mini=mini)


def _draw(template: str, page: str, language: str, **context: object) -> str:
    def link(to_page: str, anchor: str | None = None) -> str:
        return urls.site_href(page, to_page, anchor)

    svg = svg_environment(language).get_template(template).render(link=link, **context)
    return "\n".join(line.strip() for line in svg.splitlines() if line.strip())
