"""The alignment pages in a real, strict MkDocs build: drawings filled in, their links alive, errors stop it."""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sales_handbook.rules import catalogue as rules, health
from sales_handbook.model.audience import Audience, for_audience
from sales_handbook.plan.loader import load_plan
from tests.conftest import build_site
from tests.planfiles import EXAMPLE_PLAN, make_plan, replace_in
from tests.test_build import plain_mkdocs_build, tree_digest


class _Links(HTMLParser):
    """Ids of a page, and the hrefs of links inside its inline SVG."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.svg_links: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "svg":
            self.depth += 1
        if tag == "a" and self.depth and values.get("href"):
            self.svg_links.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.depth -= 1


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_alignment_pages_are_built(example_site: Path) -> None:
    expected = ["alignment/index.html", "alignment/map/index.html", "alignment/matrix/index.html",
                "alignment/progress/index.html", "alignment/rules/index.html"]
    expected += [f"alignment/rules/{rule.id}/index.html" for rule in rules.catalogue()]
    assert [path for path in expected if not (example_site / path).is_file()] == []


def test_every_slot_is_filled_and_every_drawn_link_lands(example_site: Path) -> None:
    pages = sorted(example_site.rglob("index.html"))
    svg_links = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "handbook-figure-" not in html, page
        for href in parse(page).svg_links:
            target, _, anchor = href.partition("#")
            resolved = (page.parent / target / "index.html").resolve()
            assert resolved.is_file(), (page, href)
            if anchor:
                assert anchor in parse(resolved).ids, (page, href)
            svg_links += 1
    plan = for_audience(load_plan(EXAMPLE_PLAN), Audience.public)
    assert svg_links > 2 * (len(plan.goals()) + len(plan.individual_goals()))  # the whole map and the objectives'


def test_the_example_plan_shows_real_findings_and_no_errors(example_site: Path) -> None:
    plan = load_plan(EXAMPLE_PLAN)
    found = health.findings(plan)
    assert all(f.severity != "error" for f in found)
    shown = health.for_audience(found, plan, Audience.public)  # example_site is the public build
    assert len(shown) >= 4
    page = (example_site / "alignment" / "index.html").read_text(encoding="utf-8")
    for finding in shown:
        link = posixpath.relpath(finding.hit.subject.page.removesuffix(".md"), "alignment")
        assert f'href="{link}/' in page, finding.rule.id
    assert re.search(r"<strong>0 errors, \d+ warnings, \d+ info</strong>", page)


def test_a_rule_graded_error_stops_the_build_and_keeps_the_site(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    plan = make_plan(tmp_path)
    site = tmp_path / "site"
    assert build_site(plan, site) == 0
    before = tree_digest(site)
    replace_in(plan, "teams/north-sales.yaml", "    current: 700\n", "    current: 700\n    weight: 60\n")
    capsys.readouterr()
    assert build_site(plan, site) == 1
    err = capsys.readouterr().err
    assert "north-sales.yaml:22:5: error: 1 of the 2 goals of team 'north-sales' has a weight" in err
    assert "[weights-do-not-add-up]" in err and "errors stop the build" in err
    assert tree_digest(site) == before


def test_plain_mkdocs_stops_on_a_rule_graded_error_too(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    (plan / "organization.yaml").write_text((plan / "organization.yaml").read_text(encoding="utf-8")
                                            + "settings:\n  rules:\n    goal-outside-parent-time-frame: error\n",
                                            encoding="utf-8")
    result = plain_mkdocs_build(tmp_path)
    assert result.returncode == 1
    assert "breaks alignment rules graded as errors" in result.stderr
    assert "[goal-outside-parent-time-frame]" in result.stderr


def test_a_plan_above_the_detail_limit_builds_strictly_with_maps_and_tables_by_department(tmp_path: Path) -> None:
    """16 synthetic teams have 160 team goals: the map, matrix and progress page count them by department,
    and the strict build passes with every link of every page in place."""
    from bench.synthetic import write_plan
    from sales_handbook.model import alignment

    plan_dir = write_plan(tmp_path / "plan", teams=16, seed=5)
    assert not alignment.in_full(len(load_plan(plan_dir).goals()))
    site = tmp_path / "site"
    assert build_site(plan_dir, site) == 0
    for page in ("alignment/map", "alignment/matrix", "alignment/progress"):
        html = (site / page / "index.html").read_text(encoding="utf-8")
        assert "too many" in html and "departments/sales/" in html, page
    map_page = site / "alignment" / "map" / "index.html"
    drawn = parse(map_page).svg_links
    assert drawn and all((map_page.parent / href.partition("#")[0] / "index.html").resolve().is_file()
                         for href in drawn)
