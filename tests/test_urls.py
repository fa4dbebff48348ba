"""URLs come from ids only, and every relative link lands on the page it names."""

from __future__ import annotations

import posixpath
from urllib.parse import urljoin

from hypothesis import given
from hypothesis import strategies as st

from sales_handbook.plan import urls
from sales_handbook.plan.schema import ID_PATTERN

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
    st.sampled_from([urls.HEALTH, urls.ALIGNMENT_MAP, urls.MATRIX, urls.PROGRESS, urls.RULES]),
    IDS.map(urls.rule_page),
)
PERMANENT = st.tuples(st.sampled_from(["goal", "team", "objective", "person"]), IDS).map(
    lambda pair: urls.permanent_page(*pair))


@given(st.one_of(PAGES, PERMANENT, ALIGNMENT_PAGES), st.one_of(PAGES, PERMANENT, ALIGNMENT_PAGES), st.one_of(st.none(), IDS),
       st.sampled_from(["https://example.com/", "https://example.com/handbook/2026-Q4/", "file:///srv/site/"]))
def test_a_site_href_resolves_to_its_target_under_any_base(from_page: str, to_page: str, anchor: str | None,
                                                           base: str) -> None:
    resolved = urljoin(base + urls.url(from_page), urls.site_href(from_page, to_page, anchor))
    assert resolved == base + urls.url(to_page, anchor)


@given(IDS)
def test_permanent_urls_are_the_id_under_their_kind(item_id: str) -> None:
    assert urls.url(urls.permanent_page("goal", item_id)) == f"goals/{item_id}/"
    assert urls.url(urls.permanent_page("person", item_id)) == f"people/{item_id}/"
    assert urls.url(urls.permanent_page("team", item_id)) == f"teams/{item_id}/"
    assert urls.url(urls.permanent_page("objective", item_id)) == f"objectives/{item_id}/"
    assert urls.site_file(urls.goal_page(item_id)) == f"goals/{item_id}/index.html"
