"""The alignment map, the matrix and the progress bars as a reader sees them: Debian's Chromium, offline.

Uses the `page` fixture of test_browser.py, which fails a test on any console
error or any request that leaves localhost.
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin

import pytest

from sales_handbook.model import status
from sales_handbook.model.audience import Audience, for_audience
from sales_handbook.plan.loader import load_plan
from sales_handbook.site import words as handbook_words
from tests.planfiles import EXAMPLE_PLAN
from tests.test_browser import heading, page  # noqa: F401  (the shared fixture)

pytestmark = pytest.mark.browser


def public_plan():
    """The example plan as its public site (example_site) shows it."""
    return for_audience(load_plan(EXAMPLE_PLAN), Audience.public)


def test_the_map_renders_and_every_box_opens_its_page(page, example_url):  # noqa: F811
    plan = public_plan()
    page.goto(example_url + "alignment/map/")
    svg = page.locator(".handbook-map svg")
    assert svg.count() == 1
    box = svg.bounding_box()
    assert box["width"] > 600 and box["height"] > 600
    links = svg.locator("a")
    hrefs = links.evaluate_all("links => links.map(a => a.href.baseVal !== undefined ? a.href.baseVal : a.href)")
    assert len(hrefs) >= len(plan.objectives) + len(plan.goals()) + len(plan.individual_goals())
    assert svg.locator("a.handbook-map-department").count() == len({t.department for t in plan.teams if t.goals})

    anchors: dict[str, set[str]] = {}
    for href in hrefs:
        target, anchor = urldefrag(urljoin(page.url, href))
        anchors.setdefault(target, set()).update([anchor] if anchor else [])
    checker = page.context.new_page()
    for target, wanted in sorted(anchors.items()):
        assert target.startswith(example_url), target
        response = checker.goto(target)
        assert response is not None and response.status == 200, target
        missing = [a for a in sorted(wanted) if checker.locator(f"[id='{a}']").count() != 1]
        assert missing == [], target
    checker.close()


def test_clicking_a_goal_in_an_objectives_map_opens_the_goal(page, example_url):  # noqa: F811
    plan = public_plan()
    objective = plan.objectives[0]
    team, goal = next((t, g) for t, g in plan.goals() if g.aligns_to and g.aligns_to[0].objective == objective.id)
    page.goto(example_url + f"objectives/{objective.id}/")
    node = page.locator(f".handbook-map svg a[href$='teams/{team.id}/#{goal.id}']")
    assert node.count() == 1
    node.click()
    page.wait_for_url(re.compile(rf"/teams/{team.id}/#{goal.id}$"))
    assert heading(page.locator(f"h3[id='{goal.id}']")) == goal.title


def test_the_matrix_shows_which_teams_serve_which_objectives(page, example_url):  # noqa: F811
    plan = public_plan()
    page.goto(example_url + "alignment/matrix/")
    table = page.locator("article table").first
    headers = table.locator("thead th").all_inner_texts()
    assert headers[2:] == [o.title for o in plan.objectives]
    rows = table.locator("tbody tr")
    assert rows.count() == len(plan.teams) + 1
    team = plan.teams[0]
    row = table.locator("tbody tr", has=page.get_by_role("link", name=team.name, exact=True))
    cells = row.locator("td").all_inner_texts()[2:]
    for objective, cell in zip(plan.objectives, cells):
        count = sum(any(a.objective == objective.id for a in g.aligns_to) for g in team.goals)
        assert cell == (f"{count} goal{'s' if count != 1 else ''}" if count else "—")


def test_progress_bars_show_status_in_words_next_to_the_bar(page, example_url):  # noqa: F811
    plan = public_plan()
    team, goal = next((t, g) for t, g in plan.goals() if g.current is not None)
    page.goto(example_url + f"teams/{team.id}/")
    section = page.locator(f"h3[id='{goal.id}']")
    bar = section.locator("xpath=following::div[contains(@class, 'handbook-progress')][1]")
    words = bar.locator("strong").inner_text()
    assert words in ("On track", "At risk", "Off track")
    label = bar.locator("svg").get_attribute("aria-label")
    assert label.startswith(words + ":") and f"(as of {handbook_words.words().date(status.as_of(plan))})" in label
    assert bar.locator("svg rect").count() >= 2
    row = section.locator("xpath=following::table[1]").locator("tr", has_text="Status")
    assert words in row.inner_text()
    row.get_by_role("link", name="how status is computed").click()
    page.wait_for_url(re.compile(r"/alignment/progress/#how-status-is-computed$"))
