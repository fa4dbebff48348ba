"""The drawings: every slot a page holds is filled with valid SVG whose links land on real pages."""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET

import pytest

from sales_handbook.model import alignment
from sales_handbook.plan import urls
from sales_handbook.site import diagrams, figures, pages
from sales_handbook.plan.loader import load_plan
from sales_handbook.plan.plan import Plan
from tests.planfiles import EXAMPLE_PLAN, SMALL_PLAN

SVG = "{http://www.w3.org/2000/svg}"
SLOT = re.compile(r'<div id="handbook-figure-([a-z0-9-]+)"></div>')


@pytest.fixture(scope="module")
def example() -> tuple[Plan, dict[str, str]]:
    plan = load_plan(EXAMPLE_PLAN)
    return plan, pages.render(plan)


def anchors(markdown: str) -> set[str]:
    """The ids a rendered page has: `{ #id }` headings (goals, people) and the toc's heading slugs we link to."""
    return set(re.findall(r"\{ #([a-z0-9-]+) \}", markdown))


def parse(html: str) -> ET.Element:
    """A figure as XML: it must be well-formed, which also proves plan text was escaped."""
    return ET.fromstring(html)


def test_every_slot_on_every_page_is_filled(example: tuple[Plan, dict[str, str]]) -> None:
    plan, rendered = example
    slots = [(path, fid) for path, text in rendered.items() for fid in SLOT.findall(text)]
    goals_with_target = [g for _, g in plan.goals() if g.target is not None]
    goals_with_target += [g for _, _, g in plan.individual_goals() if g.target is not None]
    metrics = [m for o in plan.objectives for m in o.key_metrics]
    team_goals = [g for _, g in plan.goals() if g.target is not None]
    minis = (len(team_goals) + sum(1 for o in plan.objectives for item in alignment.serving(plan, o.id)
                                   if item.goal.target is not None)  # overviews: team pages and objective pages
             + sum(1 for _, g in plan.goals() if g.owner is not None and g.target is not None))  # goals people own
    served = [o for o in plan.objectives if alignment.serving(plan, o.id)]
    rollups = (2 * len(served)  # on the objective's page, and small on the home page
               + sum(1 for t in plan.teams if t.goals) + len({t.department for t in plan.teams if t.goals})
               + sum(1 for _, p in plan.people() if p.goals))
    assert len(slots) == len(goals_with_target) + len(metrics) + 1 + len(plan.objectives) + minis + rollups
    for path, fid in slots:
        tree = parse(figures.render(plan, path, fid))
        svg = tree if tree.tag == f"{SVG}svg" else tree.find(f".//{SVG}svg")
        assert svg is not None and len(svg) >= (1 if fid.startswith(("mini", "rollup")) else 3), (path, fid)


def test_every_link_in_a_map_lands_on_a_page_and_anchor_that_exist(example: tuple[Plan, dict[str, str]]) -> None:
    plan, rendered = example
    by_url = {urls.url(path): path for path in rendered}
    maps = [(urls.ALIGNMENT_MAP, "map")] + [(urls.objective_page(o.id), f"map--{o.id}") for o in plan.objectives]
    seen = 0
    for page, fid in maps:
        tree = parse(figures.render(plan, page, fid))
        for link in tree.iter(f"{SVG}a"):
            href = link.get("href")
            target, _, anchor = href.partition("#")
            resolved = posixpath.normpath(posixpath.join(urls.url(page), target)) + "/"
            resolved = "" if resolved == "./" else resolved
            assert resolved in by_url, (page, href)
            if anchor:
                assert anchor in anchors(rendered[by_url[resolved]]), (page, href)
            seen += 1
    nodes = len(plan.objectives) + len(plan.goals()) + len(plan.individual_goals()) + len(plan.teams)
    assert seen >= nodes


def test_the_whole_map_shows_every_objective_goal_and_department() -> None:
    plan = load_plan(EXAMPLE_PLAN)
    drawing = diagrams.plan_map(plan)
    kinds = [node.kind for node in drawing.nodes]
    assert kinds.count("objective") == len(plan.objectives)
    assert kinds.count("goal") == len(plan.goals())
    assert kinds.count("department") == len({t.department for t in plan.teams if t.goals})
    assert len(drawing.edges) == (sum(len(g.aligns_to) for _, g in plan.goals())
                                  + sum(len(g.supports) for _, _, g in plan.individual_goals()))
    boxes = sorted((n.y, n.y + n.height) for n in drawing.nodes if n.kind == "objective")
    assert all(low[1] <= high[0] for low, high in zip(boxes, boxes[1:]))  # objectives never overlap


def test_an_objective_map_holds_only_what_serves_it() -> None:
    plan = load_plan(SMALL_PLAN)
    drawing = diagrams.plan_map(plan, "delight-customers")
    labels = {(n.kind, n.anchor or n.page) for n in drawing.nodes if n.kind in ("objective", "goal", "individual")}
    assert labels == {("objective", "objectives/delight-customers.md"), ("goal", "qualified-leads"),
                      ("goal", "north-handover-quality"), ("individual", "olaf-handovers")}


def test_plan_text_is_escaped_in_the_svg() -> None:
    plan = load_plan(SMALL_PLAN)
    svg = figures.render(plan, urls.ALIGNMENT_MAP, "map")
    assert "Run the R&amp;D | &lt;beta&gt; *pilot* webinar series" in svg
    assert "<beta>" not in svg
    parse(svg)


def test_figures_are_the_same_bytes_every_time() -> None:
    first = load_plan(EXAMPLE_PLAN)
    second = load_plan(EXAMPLE_PLAN)
    assert figures.render(first, urls.ALIGNMENT_MAP, "map") == figures.render(second, urls.ALIGNMENT_MAP, "map")


def test_insert_fills_known_slots_and_drops_unknown_ones() -> None:
    plan = load_plan(SMALL_PLAN)
    page = urls.team_page("north-sales")
    html = (f"<p>a</p>\n{pages.figure_slot('goal', 'north-new-arr')}\n{pages.figure_slot('goal', 'no-such-goal')}\n"
            f"{pages.figure_slot('metric', 'grow-revenue', 'nps')}\n{pages.figure_slot('map', 'nowhere')}")
    filled = figures.insert(html, figures.draw_page(plan, page, html))
    assert filled.count("<svg") == 1 and "handbook-figure-" not in filled
    assert 'aria-label="Off track: 0% of the way, 49% of the time frame gone (as of 15 Nov 2026)"' in filled


def test_a_bar_says_its_status_in_words() -> None:
    plan = load_plan(SMALL_PLAN)
    svg = figures.render(plan, urls.objective_page("grow-revenue"), "metric--grow-revenue--arr")
    tree = parse(svg)
    assert tree.find(".//strong").text == "On track"
    texts = [t.text for t in tree.iter(f"{SVG}text")]
    assert texts == ["baseline 10 EUR million", "target 12 EUR million", "now 11.2 EUR million"]


def test_a_map_too_large_to_draw_goal_by_goal_counts_goals_by_department(
        example: tuple[Plan, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Above alignment.DETAIL_LIMIT team goals the map is objectives ← departments, with counts that add up."""
    plan, rendered = example
    monkeypatch.setattr(alignment, "DETAIL_LIMIT", 5)
    drawing = diagrams.alignment_map(plan)
    assert isinstance(drawing, diagrams.Summary)
    assert drawing.goals == len(plan.goals()) and drawing.teams == len({t.id for t, _ in plan.goals()})
    assert sum(t.goals for t in drawing.totals) == len(plan.goals())
    assert sum(t.teams for t in drawing.totals) == drawing.teams
    assert sum(f.goals for f in drawing.flows) == sum(len(g.aligns_to) for _, g in plan.goals())
    assert {n.page for n in drawing.objectives} == {urls.objective_page(o.id) for o in plan.objectives}
    assert {t.page for t in drawing.totals} == {urls.department_page(t.department.value) for t, _ in plan.goals()}

    by_url = {urls.url(path): path for path in rendered}
    for page, fid in [(urls.ALIGNMENT_MAP, "map")] + [(urls.objective_page(o.id), f"map--{o.id}")
                                                       for o in plan.objectives]:
        tree = parse(figures.render(plan, page, fid))
        summary = isinstance(diagrams.alignment_map(plan, fid.partition("--")[2] or None), diagrams.Summary)
        told = tree.find("p[@class='handbook-map-summary']")
        assert summary == (told is not None), (page, fid)
        if summary:
            assert "too many to draw one by one" in "".join(told.itertext()), (page, fid)
        for link in tree.iter():
            href = link.get("href")
            if href is None or href == figures.file_name(fid):  # the map on its own, beside the page
                continue
            resolved = posixpath.normpath(posixpath.join(urls.url(page), href.partition("#")[0])) + "/"
            assert ("" if resolved == "./" else resolved) in by_url, (page, href)


def test_one_objectives_summary_counts_only_what_serves_it(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = load_plan(EXAMPLE_PLAN)
    monkeypatch.setattr(alignment, "DETAIL_LIMIT", 1)
    objective = max(plan.objectives, key=lambda o: len(alignment.serving(plan, o.id)))
    drawing = diagrams.alignment_map(plan, objective.id)
    assert isinstance(drawing, diagrams.Summary) and drawing.of_objective
    assert [n.page for n in drawing.objectives] == [urls.objective_page(objective.id)]
    assert drawing.goals == sum(f.goals for f in drawing.flows) == len(alignment.serving(plan, objective.id))


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def tint(colour: str, opacity: float) -> str:
    """`colour` at `opacity` over white, as a band behind team names is drawn."""
    return "#" + "".join(f"{round(255 - (255 - int(colour[i:i + 2], 16)) * opacity):02x}" for i in (1, 3, 5))


def test_every_text_in_the_figures_is_readable_against_what_is_behind_it(
        example: tuple[Plan, dict[str, str]]) -> None:
    """WCAG AA for 12 px text, 4.5:1: axe-core does not judge SVG text, so the figures are checked here."""
    plan, rendered = example
    departments = set(diagrams.DEPARTMENT_COLOURS.values())
    backgrounds = ["#ffffff", "#fafafa", *(tint(c, 0.07) for c in departments)]
    fills = set()
    for path, text in rendered.items():
        for figure_id in SLOT.findall(text):
            svg = figures.render(plan, path, figure_id)
            fills.update(re.findall(r'<text [^>]*fill="(#[0-9a-f]{6})"', svg))
    assert "#ffffff" in fills and len(fills) > 4
    for fill in fills - {"#ffffff"}:
        assert min(contrast(fill, b) for b in backgrounds) >= 4.5, fill
    for colour in departments:  # white department names on their colour
        assert contrast("#ffffff", colour) >= 4.5, colour
    for colour in diagrams.STATUS_COLOURS.values():  # the current value is written in its status colour
        assert contrast(colour, "#ffffff") >= 4.5, colour


def test_an_overviews_small_bar_fills_as_far_as_the_status_says(tmp_path) -> None:
    from tests.planfiles import make_plan

    plan = load_plan(make_plan(tmp_path, SMALL_PLAN.parent / "names-plan"))
    page = urls.team_page("key-accounts-europe")

    def filled(goal_id: str) -> list[str]:
        svg = parse(figures.render(plan, page, f"mini--{goal_id}")).find(f"{SVG}svg")
        assert svg.get("aria-hidden") == "true"  # the status beside it is in words
        return [rect.get("width") for rect in svg.iter(f"{SVG}rect")]

    assert filled("key-account-retention") == ["64", "32.0"]  # stay above: half the starting margin left
    track, done = filled("osterreich-renewals")
    assert track == "64" and abs(float(done) - 64 * 6 / 14) < 0.1  # 6 of 14


def test_the_theme_keeps_each_kind_of_map_at_85_percent_of_its_size_at_least(monkeypatch: pytest.MonkeyPatch) -> None:
    """The min-width in the theme's styles (content carries no style attribute) follows the maps' geometry."""
    theme = (EXAMPLE_PLAN.parent / "theme" / "assets" / "stylesheets" / "handbook.css").read_text(encoding="utf-8")
    plan = load_plan(SMALL_PLAN)
    drawn = {"detailed": (diagrams.alignment_map(plan), figures.render(plan, urls.ALIGNMENT_MAP, "map"))}
    monkeypatch.setattr(alignment, "DETAIL_LIMIT", 1)
    drawn["counted"] = (diagrams.alignment_map(plan), figures.render(plan, urls.ALIGNMENT_MAP, "map"))
    assert isinstance(drawn["detailed"][0], diagrams.Map) and isinstance(drawn["counted"][0], diagrams.Summary)
    for kind, (drawing, svg) in drawn.items():
        found = re.search(rf"svg\.handbook-map-{kind} {{ min-width: (\d+)px; }}", theme)
        assert found and int(found[1]) == round(drawing.width * 0.85), kind
        assert f'class="handbook-map-{kind}"' in svg

