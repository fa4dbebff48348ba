"""URLs come from ids only, and every relative link lands on the page it names."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from generator import urls
from generator.schema import ID_PATTERN

IDS = st.from_regex(ID_PATTERN, fullmatch=True).filter(lambda s: len(s) < 40)
PAGES = st.one_of(
    st.sampled_from([urls.HOME, urls.MISSION, urls.OBJECTIVES, urls.TEAMS, urls.BENEFITS, urls.REVIEWS]),
    IDS.map(urls.objective_page),
    IDS.map(urls.team_page),
    IDS.map(urls.department_page),
    st.sampled_from(["2026-Q1", "2031-Q4"]).map(urls.review_page),
)


@given(PAGES, PAGES)
def test_a_relative_link_resolves_to_its_target(from_page: str, to_page: str) -> None:
    link = urls.href(from_page, to_page)
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(from_page), link)) if link else from_page
    assert resolved == to_page


@given(IDS)
def test_item_urls_are_the_id_under_their_section(item_id: str) -> None:
    assert urls.url(urls.objective_page(item_id)) == f"objectives/{item_id}/"
    assert urls.url(urls.team_page(item_id), "a-goal") == f"teams/{item_id}/#a-goal"


def test_section_and_home_urls() -> None:
    assert urls.url(urls.HOME) == ""
    assert urls.url(urls.OBJECTIVES) == "objectives/"
    assert urls.url(urls.review_page("2026-Q3")) == "reviews/2026-Q3/"


ALIGNMENT_PAGES = st.one_of(
    PAGES,
    st.sampled_from([urls.HEALTH, urls.ALIGNMENT_MAP, urls.MATRIX, urls.PROGRESS, urls.RULES]),
    IDS.map(urls.rule_page),
)


@given(ALIGNMENT_PAGES, ALIGNMENT_PAGES, st.one_of(st.none(), IDS))
def test_a_relative_url_resolves_to_the_target_url(from_page: str, to_page: str, anchor: str | None) -> None:
    """Inline SVG links are not rewritten by MkDocs, so they are relative to the page's URL, not its file."""
    link = urls.relative_url(from_page, to_page, anchor)
    path, _, fragment = link.partition("#")
    here = urls.url(from_page)
    resolved = posixpath.normpath(posixpath.join(here, path)) + "/" if path else here
    assert (resolved.removeprefix("./"), fragment or None) == (urls.url(to_page), anchor)
    assert link and not link.startswith("/")
