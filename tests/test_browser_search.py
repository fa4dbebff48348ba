"""Search as a new hire types names: without accents, in Han script, or a goal's id. Debian's Chromium, offline.

The plan is tests/fixtures/names-plan (an overlay of the small plan): Ørjan Bråten, Zoë Müller, José Núñez
and 李伟, with a territory in Österreich.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.conftest import guarded_page

pytestmark = pytest.mark.browser

TEAM = "teams/key-accounts-europe/"
SEARCHES = [  # what a reader types, and the page (and section) the first result must be
    ("Bråten", "people/orjan-braten/"),
    ("braten", "people/orjan-braten/"),
    ("orjan", "people/orjan-braten/"),
    ("muller", "people/zoe-muller/"),
    ("mueller", "people/zoe-muller/"),
    ("Müller", "people/zoe-muller/"),
    ("nunez", "people/jose-nunez/"),
    ("osterreich", TEAM + "#osterreich-renewals"),
    ("Österreich", TEAM + "#osterreich-renewals"),
    ("李伟", "people/li-wei/"),
    ("key-account-retention", TEAM + "#key-account-retention"),
    ("jose-renewals", "people/jose-nunez/#jose-renewals"),  # an individual goal: in full on its person's page
]


def test_search_finds_people_and_places_as_people_type_them(browser, names_url: str) -> None:
    found: dict[str, str | None] = {}
    with guarded_page(browser) as page:
        with page.expect_response(lambda r: r.url.endswith("search/search_index.json")):
            page.goto(names_url)
        page.locator("label.md-search__icon, .md-search__input").first.click()
        field = page.locator("input.md-search__input")
        meta = page.locator(".md-search-result__meta")
        results = page.locator("a.md-search-result__link")
        sections = page.locator("a.md-search-result__link[href*='#']")
        for query, expected in SEARCHES:
            field.fill("")
            meta.filter(has_text="Type to start searching").wait_for(timeout=10_000)  # the last results are gone
            field.press_sequentially(query, delay=10)  # Han characters arrive as text input, with no key events
            meta.filter(has_text="matching").wait_for(timeout=10_000)
            # a name finds the person's page; an id or a place finds the section about it
            first = sections if "#" in expected else results
            if first.count():
                href = urlparse(first.first.get_attribute("href"))
                found[query] = site_path(href.path) + (f"#{href.fragment}" if "#" in expected else "")
            else:
                found[query] = None
    assert found == dict(SEARCHES)


def site_path(path: str) -> str:
    """A result's path from the site's own folders on (`teams/…`, `people/…`), without the served folder's."""
    start = max(path.rfind("/teams/"), path.rfind("/people/"))
    return path[start + 1:] if start >= 0 else path
