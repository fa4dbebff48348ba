"""The German handbook in a real browser (Debian's Chromium, offline): Material speaks German, search finds a
goal by its German title, and axe-core finds no serious problem on any kind of page with `lang="de"`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from sales_handbook.model.audience import Audience
from tests.conftest import build_site, guarded_page, plan_in, serve_folder
from tests.test_browser_a11y import WIDTHS, every_kind_of_page, serious_violations

pytestmark = pytest.mark.browser

GERMAN_TITLE = "Neukundenumsatz in Nordamerika auf 1,3 Mio. € steigern"
ENGLISH_TITLE = "Sign $1.4 m (€1.3 m) of new-customer ARR"


@pytest.fixture(scope="module")
def german_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example plan with `language: de` and one goal titled in German, built and served on localhost."""
    folder = tmp_path_factory.mktemp("german")
    plan = plan_in(folder, "de")
    team_file = plan / "teams" / "north-america-sales.yaml"
    text = team_file.read_text(encoding="utf-8")
    assert ENGLISH_TITLE in text
    team_file.write_text(text.replace(ENGLISH_TITLE, GERMAN_TITLE), encoding="utf-8")
    assert build_site(plan, folder / "site") == 0
    with serve_folder(folder / "site") as url:
        yield url


def test_search_in_german_finds_a_goal_by_its_german_title(browser, german_url: str) -> None:
    with guarded_page(browser) as page:
        with page.expect_response(lambda r: r.url.endswith("search/search_index.json")):
            page.goto(german_url)
        assert page.locator("html").get_attribute("lang") == "de"
        field = page.locator("input.md-search__input")
        assert field.get_attribute("placeholder") == "Suche"
        page.locator("label.md-search__icon, .md-search__input").first.click()
        field.press_sequentially("Neukundenumsatz Nordamerika", delay=10)
        result = page.locator("a.md-search-result__link", has=page.locator("h2", has_text=GERMAN_TITLE)).first
        result.wait_for(timeout=10_000)
        found = urlparse(result.get_attribute("href"))
        assert (found.path, found.fragment) == ("/teams/north-america-sales/", "na-new-arr")
        assert page.locator(".md-search-result__meta").inner_text() != "Type to start searching"
        result.click()
        page.wait_for_url(re.compile(r"/teams/north-america-sales/.*#na-new-arr$"))
        assert page.locator("h3#na-new-arr").inner_text().removesuffix("¶").strip() == GERMAN_TITLE
        assert page.locator("h2#goals").inner_text().removesuffix("¶").strip() == "Ziele"


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def test_no_german_page_has_a_serious_accessibility_problem(browser, axe, german_url: str) -> None:
    found: list[str] = []
    for width in WIDTHS:
        with guarded_page(browser, viewport={"width": width, "height": 900}) as page:
            for kind, address in every_kind_of_page(Audience.public).items():
                if kind == "a permanent address":
                    continue  # a redirect: tests/test_browser_a11y.py checks what it shows; its lang is below
                response = page.goto(german_url + address)
                assert response is not None and response.status == 200, address
                assert page.locator("html").get_attribute("lang") == "de", address
                found += [f"{width} px {kind} ({address}): {v}" for v in serious_violations(page, axe)]
    assert found == [], "\n".join(found)
