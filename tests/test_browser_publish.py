"""Published quarters in Debian's Chromium: permanent links from an old version and from latest, the selector.

The gh-pages branch of tests/publishing.py's two quarters is exported and served
on localhost, as GitHub Pages or any static host would serve it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.conftest import guarded_page, serve_folder
from tests.publishing import TwoQuarters, publish_two_quarters

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    quarters: TwoQuarters = publish_two_quarters(tmp_path_factory.mktemp("browse"))
    with serve_folder(quarters.site) as url:
        yield url


def heading(page, anchor: str) -> str:
    return page.locator(f"[id='{anchor}']").inner_text().removesuffix("¶").strip()


def test_a_goal_link_from_the_old_version_and_from_latest(browser, site_url: str) -> None:
    from playwright.sync_api import expect

    with guarded_page(browser) as page:
        page.goto(site_url + "2026-Q4/goals/north-new-arr/")
        page.wait_for_url(re.compile(r"/2026-Q4/teams/north-sales/#north-new-arr$"))
        assert heading(page, "north-new-arr") == "Sign €1.2 m of new-customer ARR"
        expect(page.locator("[id='north-new-arr']")).to_be_in_viewport()

        page.goto(site_url + "latest/goals/north-new-arr/")
        page.wait_for_url(re.compile(r"/latest/teams/north-sales/#north-arr-2027$"))
        assert heading(page, "north-arr-2027") == "Sign €1.5 m of new-customer ARR"
        expect(page.locator("[id='north-arr-2027']")).to_be_in_viewport()


def test_an_old_team_anchor_follows_the_goal_to_its_new_team(browser, site_url: str) -> None:
    with guarded_page(browser) as page:
        page.goto(site_url + "latest/teams/north-sales/#north-handover-quality")
        page.wait_for_url(re.compile(r"/latest/teams/iberia-sales/#north-handover-quality$"))
        assert heading(page, "north-handover-quality") == "Hand every new deal over with a success plan"
        page.goto(site_url + "latest/teams/south-sales/#sofia-marin")
        page.wait_for_url(re.compile(r"/latest/people/sofia-marin/$"))  # through the renamed team, to her page


def test_a_person_page_from_the_team_page_and_from_an_earlier_versions_address(browser, site_url: str) -> None:
    with guarded_page(browser) as page:
        page.goto(site_url + "latest/teams/north-sales/")
        page.locator("article a[href$='people/olaf-berg/']").last.click()  # his row among the team's people
        page.wait_for_url(re.compile(r"/latest/people/olaf-berg/$"))
        assert page.locator("h1").inner_text().removesuffix("¶").strip() == "Olaf Berg"
        assert page.locator("[id='olaf-new-arr']").count() == 1  # his individual goal, in full
        # the address pasted into a review last quarter opens his page in that quarter's handbook
        page.goto(site_url + "2026-Q4/people/olaf-berg/")
        assert page.locator("h1").inner_text().removesuffix("¶").strip() == "Olaf Berg"
        page.get_by_role("link", name="North Sales").first.click()
        page.wait_for_url(re.compile(r"/2026-Q4/teams/north-sales/$"))
        # an individual goal's address leads to its section on the person's page
        page.goto(site_url + "2026-Q4/goals/olaf-new-arr/")
        page.wait_for_url(re.compile(r"/2026-Q4/people/olaf-berg/#olaf-new-arr$"))
        # a link to his section on the team page, from before he had a page, is forwarded to it
        page.goto(site_url + "latest/teams/north-sales/#olaf-berg")
        page.wait_for_url(re.compile(r"/latest/people/olaf-berg/$"))
        page.goto(site_url + "latest/teams/north-sales/#olaf-new-arr")
        page.wait_for_url(re.compile(r"/latest/people/olaf-berg/#olaf-new-arr$"))


def test_permanent_links_work_with_javascript_off(browser, site_url: str) -> None:
    with guarded_page(browser, java_script_enabled=False) as page:
        page.goto(site_url + "latest/goals/north-handover-quality/")
        page.wait_for_url(re.compile(r"/latest/teams/iberia-sales/#north-handover-quality$"))
        page.goto(site_url + "2027-Q1/goals/south-new-logos/")
        assert page.locator("h1").inner_text().removesuffix("¶").strip() == "Win 12 new customers (retired)"
        page.get_by_role("link", name="Win 10 new Nordic customers").click()
        page.wait_for_url(re.compile(r"/2027-Q1/teams/north-sales/#north-new-logos$"))
        page.goto(site_url)
        page.wait_for_url(re.compile(r"/latest/$"))


def test_the_selector_switches_versions_and_an_old_version_says_it_is_old(browser, site_url: str) -> None:
    with guarded_page(browser) as page:
        page.goto(site_url + "2026-Q4/")
        banner = page.locator("[data-md-component=outdated]")
        banner.wait_for(state="visible")
        assert "You are reading an earlier quarter's plan." in banner.inner_text()
        selector = page.locator(".md-version__current")
        assert selector.inner_text().strip() == "Q4 2026"
        page.locator(".md-version").hover()
        page.locator(".md-version__list a", has_text="2027-Q1").click()
        page.wait_for_url(re.compile(r"/2027-Q1/$"))
        assert page.locator(".md-version__current").inner_text().strip() == "2027-Q1"
        assert page.locator("[data-md-component=outdated]").is_hidden()
        page.goto(site_url + "latest/reviews/")
        page.get_by_role("link", name="what changed since Q4 2026 (2026-Q4)").click()
        page.wait_for_url(re.compile(r"/latest/changes/$"))
        assert page.locator("h1").inner_text().removesuffix("¶").strip() == "What changed since Q4 2026 (2026-Q4)"

