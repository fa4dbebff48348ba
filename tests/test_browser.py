"""What a new hire sees: the built example handbook in a real browser, offline.

Debian's Chromium, driven by Playwright, reads the site from a localhost
server. Every test fails on a console error or on any request that tries to
leave localhost (a CDN font or script would).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from sales_handbook.model.audience import Audience, for_audience
from sales_handbook.plan.loader import load_plan
from tests.conftest import guarded_page
from tests.planfiles import EXAMPLE_PLAN

pytestmark = pytest.mark.browser


def heading(locator) -> str:
    """A heading's text as a reader sees it, without the '¶' permalink."""
    return locator.inner_text().removesuffix("¶").strip()


@pytest.fixture()
def page(browser, example_url: str) -> Iterator[object]:
    """A fresh page that records console errors and any request off localhost."""
    with guarded_page(browser) as page:
        yield page


def test_new_hire_reaches_a_team_through_the_navigation_and_follows_a_goal_to_its_objective(page, example_url):
    plan = for_audience(load_plan(EXAMPLE_PLAN), Audience.public)  # example_site is the public build
    team = next(t for t in plan.teams if t.goals and t.goals[0].aligns_to)
    goal = team.goals[0]
    objective = plan.objective(goal.aligns_to[0].objective)

    page.goto(example_url)
    assert heading(page.locator("h1").first) == f"{plan.organization.name} handbook"
    nav = page.locator("nav.md-nav--primary")
    nav.get_by_role("link", name="Teams", exact=True).click()
    page.wait_for_url(re.compile(r"/teams/$"))
    nav.get_by_role("link", name=team.department.value.replace("-", " ").capitalize(), exact=True).click()
    page.wait_for_url(re.compile(rf"/departments/{team.department.value}/$"))
    nav.get_by_role("link", name=team.name, exact=True).click()
    page.wait_for_url(re.compile(rf"/teams/{team.id}/$"))
    assert heading(page.locator("h1").first) == team.name

    section = page.locator(f"h3[id='{goal.id}']")
    assert heading(section) == goal.title
    serves = page.locator(f"h3[id='{goal.id}'] ~ ul").first
    serves.get_by_role("link", name=objective.title, exact=True).click()
    page.wait_for_url(re.compile(rf"/objectives/{objective.id}/$"))
    assert heading(page.locator("h1").first) == objective.title

    back = page.locator("li").get_by_role("link", name=goal.title, exact=True)  # the list, not the map
    assert back.count() == 1
    assert back.get_attribute("href").endswith(f"teams/{team.id}/#{goal.id}")
    back.click()
    page.wait_for_url(re.compile(rf"/teams/{team.id}/#{goal.id}$"))


def test_search_finds_a_goal_by_its_title(page, example_url):
    plan = for_audience(load_plan(EXAMPLE_PLAN), Audience.public)  # example_site is the public build
    team, goal = plan.goals()[-1]
    with page.expect_response(lambda r: r.url.endswith("search/search_index.json")):
        page.goto(example_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially(goal.title, delay=10)
    result = page.locator("a.md-search-result__link", has=page.locator("h2", has_text=goal.title)).first
    result.wait_for(timeout=10_000)
    found = urlparse(result.get_attribute("href"))
    assert (found.path, found.fragment) == (f"/teams/{team.id}/", goal.id)
    result.click()
    page.wait_for_url(re.compile(rf"/teams/{team.id}/.*#{goal.id}$"))


def test_every_page_in_the_navigation_loads_without_errors(page, example_url):
    page.goto(example_url)
    seen = {example_url}
    queue = [example_url]
    while queue:
        url = queue.pop()
        page.goto(url)
        assert page.locator("h1").count() >= 1, url
        for href in page.locator("nav.md-nav--primary a.md-nav__link[href]").evaluate_all(
                "links => links.map(a => a.href)"):
            target = href.split("#")[0]
            if target.startswith(example_url) and target not in seen:
                seen.add(target)
                queue.append(target)
    plan = for_audience(load_plan(EXAMPLE_PLAN), Audience.public)  # example_site is the public build
    assert len(seen) >= 6 + len(plan.objectives) + len(plan.teams) + len(plan.reviews)
