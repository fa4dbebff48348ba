"""Search as a new hire types names: without accents, in Han script, or a goal's id. Debian's Chromium, offline.

The plan is tests/fixtures/names-plan (an overlay of the small plan): Ørjan Bråten, Zoë Müller, José Núñez
and 李伟, with a territory in Österreich.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import guarded_page

pytestmark = pytest.mark.browser

TEAM = "teams/key-accounts-europe/"
SEARCHES = [
    ("Bråten", "orjan-braten"),
    ("braten", "orjan-braten"),
    ("orjan", "orjan-braten"),
    ("muller", "zoe-muller"),
    ("mueller", "zoe-muller"),
    ("Müller", "zoe-muller"),
    ("nunez", "jose-nunez"),
    ("osterreich", "osterreich-renewals"),
    ("Österreich", "osterreich-renewals"),
    ("李伟", "li-wei"),
    ("key-account-retention", "key-account-retention"),
    ("jose-renewals", "jose-renewals"),
]


def test_search_finds_people_and_places_as_people_type_them(browser, names_url: str) -> None:
    found: dict[str, str | None] = {}
    with guarded_page(browser) as page:
        with page.expect_response(lambda r: r.url.endswith("search/search_index.json")):
            page.goto(names_url)
        page.locator("label.md-search__icon, .md-search__input").first.click()
        field = page.locator("input.md-search__input")
        meta = page.locator(".md-search-result__meta")
        sections = page.locator("a.md-search-result__link[href*='#']")
        for query, _ in SEARCHES:
            field.fill("")
            meta.filter(has_text="Type to start searching").wait_for(timeout=10_000)  # the last results are gone
            field.press_sequentially(query, delay=10)  # Han characters arrive as text input, with no key events
            meta.filter(has_text="matching").wait_for(timeout=10_000)
            if sections.count():
                href = urlparse(sections.first.get_attribute("href"))
                found[query] = f"{Path(href.path).name}#{href.fragment}"
            else:
                found[query] = None
    assert found == {query: f"{Path(TEAM).name}#{anchor}" for query, anchor in SEARCHES}
