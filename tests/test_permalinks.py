"""Permanent addresses in a plain build: redirects for goals, people and former ids, retirement pages, forwarding."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

from sales_handbook.plan import lineage, urls
from sales_handbook.site import permalinks
from sales_handbook.plan.loader import load_plan
from tests.conftest import build_site
from tests.planfiles import make_plan, replace_in, write
from tests.publishing import NEXT_QUARTER, follow, forwarding_addresses, parse

RETIRED_TEAM_AND_PERSON = """\
  - kind: team
    id: baltic-sales
    title: Baltic Sales
    retired: 2026-10-01
    reason: The Baltic accounts moved to North Sales.
    successor: north-sales
  - kind: person
    id: mark-field-old
    title: Mark Field
    retired: 2026-Q3
    reason: Left the company.
  - kind: objective
    id: enter-baltics
    title: Enter the Baltic market
    retired: 2026-Q4
    reason: The Baltics are now part of the Nordic market.
    successor: grow-revenue
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("permalinks")
    plan_dir = make_plan(root, NEXT_QUARTER)
    retired = (plan_dir / "retired.yaml").read_text(encoding="utf-8")
    write(plan_dir, "retired.yaml", retired + RETIRED_TEAM_AND_PERSON)
    assert build_site(plan_dir, root / "site") == 0
    return root / "site"


@pytest.fixture(scope="module")
def plan(site: Path) -> object:
    return load_plan(site.parent / "plan")


def test_every_goal_and_person_has_an_address_that_leads_to_its_section(site: Path, plan) -> None:
    known = lineage.of(plan)
    for kind in ("goal", "person"):
        for item_id, item in known.items[kind].items():
            found, _ = follow(site, urls.url(urls.permanent_page(kind, item_id)))
            assert found == urls.url(item.page, item.anchor)
    # an individual goal's address leads to its section on its person's page, which is a page of its own
    assert follow(site, "goals/olaf-new-arr/")[0] == "people/olaf-berg/#olaf-new-arr"
    assert parse(site / "people" / "olaf-berg" / "index.html").refresh is None
    assert follow(site, "people/olaf-berg/")[0] == "people/olaf-berg/"


def test_links_into_the_team_page_from_before_people_had_pages_are_forwarded_to_them(site: Path, plan) -> None:
    # `/teams/<team>/#<person>` and `#<individual goal>` were their sections; the forwarding script now sends
    # such a link on to the item's address, which leads to the person's page (and the goal's section there)
    addresses = forwarding_addresses(site, ".")
    for team, person in plan.people():
        assert follow(site, addresses[person.id])[0] == f"people/{person.id}/"
        for goal in person.goals:
            assert follow(site, addresses[goal.id])[0] == f"people/{person.id}/#{goal.id}"


def test_teams_and_objectives_keep_their_own_pages_and_former_ids_redirect(site: Path) -> None:
    assert parse(site / "teams" / "north-sales" / "index.html").refresh is None
    assert follow(site, "teams/south-sales/")[0] == "teams/iberia-sales/"
    assert follow(site, "objectives/delight-customers/")[0] == "objectives/customer-loyalty/"
    assert follow(site, "goals/north-new-arr/")[0] == "teams/north-sales/#north-arr-2027"


def test_a_redirect_works_without_javascript_and_escapes_the_title(site: Path) -> None:
    html = (site / "goals" / "qualified-leads" / "index.html").read_text(encoding="utf-8")
    assert '<noscript><meta http-equiv="refresh" content="0; url=../../teams/field-marketing/#qualified-leads">' in html
    assert '<link rel="canonical" href="../../teams/field-marketing/#qualified-leads">' in html
    assert ">Run the R&amp;D | &lt;beta&gt; *pilot* webinar series</a> on the Field Marketing page" in html
    assert "<beta>" not in html
    team_redirect = (site / "teams" / "south-sales" / "index.html").read_text(encoding="utf-8")
    assert 'location.replace("../iberia-sales/" + location.hash)' in team_redirect


@pytest.mark.parametrize(("address", "says", "successor"), [
    ("teams/baltic-sales/", "This team was retired on 2026-10-01", "teams/north-sales/"),
    ("objectives/enter-baltics/", "This objective was retired in 2026-Q4", "objectives/grow-revenue/"),
    ("people/mark-field-old/", "This person was retired in 2026-Q3", None),
    ("goals/south-new-logos/", "This goal was retired in 2027-Q1", "teams/north-sales/#north-new-logos"),
])
def test_retired_items_keep_a_page_at_their_address(site: Path, address: str, says: str, successor: str | None) -> None:
    found, file = follow(site, address)
    assert found == address
    html = file.read_text(encoding="utf-8")
    assert says in html
    link = re.search(r'<strong>Successor:</strong> <a href="([^"]+)"', html)
    assert (link is None) == (successor is None)
    if link:
        assert follow(site, urljoin(address, link[1]))[0] == successor


def test_retirement_pages_are_not_in_the_navigation_but_the_strict_build_passed(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "baltic-sales" not in home and "Baltic Sales" not in home
    assert "Baltic Sales" in (site / "search" / "search_index.json").read_text(encoding="utf-8")


def test_the_forwarding_script_knows_every_published_goal_and_person(site: Path, plan) -> None:
    addresses = forwarding_addresses(site.parent, "site")
    known = lineage.of(plan)
    for kind in ("goal", "person"):
        for item_id in known.published_ids(kind):
            assert addresses[item_id] == urls.url(urls.permanent_page(kind, item_id))
    assert addresses["north-new-arr"] == "goals/north-new-arr/"
    assert urls.PERMALINKS_SCRIPT in (site / "teams" / "north-sales" / "index.html").read_text(encoding="utf-8")


def test_redirect_files_are_the_same_bytes_for_the_same_plan(plan) -> None:
    assert permalinks.redirects(plan) == permalinks.redirects(plan)
    assert sorted(permalinks.retirement_pages(plan)) == [
        "goals/south-new-logos.md", "objectives/enter-baltics.md", "people/mark-field-old.md", "teams/baltic-sales.md"]


def test_a_public_build_has_no_page_or_link_for_internal_items(tmp_path: Path) -> None:
    """Redirects, retirement pages and forwarding come from the plan the audience sees."""
    plan_dir = make_plan(tmp_path, NEXT_QUARTER)
    replace_in(plan_dir, "teams/north-sales.yaml", "  - id: north-new-logos\n",
               "  - id: north-new-logos\n    visibility: internal\n")
    write(plan_dir, "retired.yaml", (plan_dir / "retired.yaml").read_text(encoding="utf-8") +
          "  - kind: team\n    id: secret-squad\n    title: Secret Squad\n    retired: 2027-Q1\n"
          "    reason: Never announced.\n    visibility: internal\n")
    assert build_site(plan_dir, tmp_path / "site") == 0
    site = tmp_path / "site"
    assert not (site / "goals" / "north-new-logos").exists()
    assert not (site / "teams" / "secret-squad").exists()
    retired = (site / "goals" / "south-new-logos" / "index.html").read_text(encoding="utf-8")
    assert "Successor" not in retired and "north-new-logos" not in retired
    everything = "".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*") if p.is_file())
    assert "north-new-logos" not in everything and "secret-squad" not in everything
