"""Navigation stays small: no level lists more than 30 entries, however many teams a plan has."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synthetic import write_plan
from sales_handbook.plan import urls
from sales_handbook.site import navgroups, pages
from sales_handbook.plan.loader import load_plan
from sales_handbook.plan.plan import Plan


@pytest.fixture(scope="module")
def large_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """A synthetic plan of 300 teams: about 200 of them in sales."""
    return load_plan(write_plan(tmp_path_factory.mktemp("large") / "plan", teams=300, seed=7))


def levels(nav: list, path: str = "") -> Iterator[tuple[str, list]]:
    """Every navigation level (the top one and each section's entries), with its path."""
    yield path or "/", nav
    for entry in nav:
        if isinstance(entry, dict):
            ((title, value),) = entry.items()
            if isinstance(value, list):
                yield from levels(value, f"{path}/{title}")


def pages_in(nav: list) -> list[str]:
    found = []
    for entry in nav:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        found += pages_in(value) if isinstance(value, list) else [value]
    return found


def test_no_navigation_level_lists_more_than_30_entries(large_plan: Plan) -> None:
    nav = pages.navigation(large_plan)
    sizes = {path: len(entries) for path, entries in levels(nav)}
    assert max(sizes.values()) <= navgroups.MAX_ENTRIES, sizes
    assert sizes["/Teams/Sales"] > 2  # sales was split into ranges, each with its own page first


def test_every_page_is_in_the_navigation_once_and_team_urls_keep_their_ids(large_plan: Plan) -> None:
    nav_pages = pages_in(pages.navigation(large_plan))
    assert len(nav_pages) == len(set(nav_pages))
    assert set(nav_pages) | pages.unlisted(large_plan) == set(pages.render(large_plan))
    assert not set(nav_pages) & pages.unlisted(large_plan)
    assert {urls.team_page(team.id) for team in large_plan.teams} <= set(nav_pages)
    assert all(f"teams/{team.id}.md" == urls.team_page(team.id) for team in large_plan.teams)


def test_each_range_page_lists_its_teams_and_links_them(large_plan: Plan) -> None:
    (sales,) = [teams for department, teams in pages.alignment.teams_by_department(large_plan.teams)
                if department.value == "sales"]
    groups = pages.team_groups(sales)
    rendered = pages.render(large_plan)
    for group in groups:
        page = rendered[urls.team_group_page("sales", group.key)]
        assert page.startswith(f"# Sales: {group.label} {{ #sales-")  # the English anchor, in every language
        for team in group.items:
            assert f"]({urls.href(urls.team_group_page('sales', group.key), urls.team_page(team.id))})" in page
    department = rendered[urls.department_page("sales")]
    assert all(f"[{group.label}]" in department for group in groups)


@given(names=st.lists(st.text(alphabet="ab ", min_size=1, max_size=6).filter(str.strip), max_size=400).map(sorted),
       limit=st.integers(min_value=2, max_value=30))
@settings(max_examples=60, deadline=None)
def test_ranges_keep_order_and_size(names: list[str], limit: int) -> None:
    groups = navgroups.split(names, str, limit)
    if len(names) <= limit:
        assert groups == ()
        return

    def leaves(level: tuple[navgroups.Group[str], ...]) -> list[str]:
        assert 1 <= len(level) <= limit
        found = []
        for group in level:
            assert group.label.strip()
            found += leaves(group.subgroups) if group.subgroups else list(group.items)
            assert len(group.items) <= limit or group.subgroups
        return found

    assert leaves(groups) == names


def test_range_labels_read_like_guide_words() -> None:
    names = [f"{city} Sales" for city in ("Berlin", "Bergen", "Bogotá", "Boston", "Cairo", "Chicago")]
    assert [g.label for g in navgroups.split(sorted(names), str, 3)] == ["Bergen – Bogotá", "Boston – Chicago"]
    names = ["Aarhus Sales", "Aarhus Sales North", "Aarhus Sales West", "Berlin Sales"]
    assert [g.label for g in navgroups.split(names, str, 2)] == ["Aarhus – Aarhus Sales North",
                                                                 "Aarhus Sales West – Berlin"]
