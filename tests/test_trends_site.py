"""Values over time in built sites: three check-ins committed and one version published, built from a full clone
and from a shallow CI clone, read back from the pages (the trend's accessible name, the table) and history.json;
in Chromium, the trend is an image with its name and the page is axe clean."""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sales_handbook.plan import urls
from tests.conftest import guarded_page, serve_folder
from tests.publishing import git, handbook, make_repo
from tests.test_browser_a11y import serious_violations
from tests.test_browser_figures import CONTRAST_RATIO
from tests.test_trends import check_in

TEAM_PAGE = "teams/field-marketing/index.html"
EXPECTED_NAME = ("Trend of current values: 45 leads on 15 Oct 2026, 50 leads on 31 Oct 2026, 55 leads on 15 Nov 2026; "
                 "target 80 leads")
EXPECTED_ROWS = [("15 Oct 2026", "45 leads", "low", "Webinar two was cancelled"),
                 ("31 Oct 2026", "50 leads", "medium", ""),
                 ("15 Nov 2026", "55 leads", "high", "")]
EXPECTED_DATA = [{"as_of": "2026-10-15", "current": 45.0, "confidence": "low", "note": "Webinar two was cancelled"},
                 {"as_of": "2026-10-31", "current": 50.0, "confidence": "medium"},
                 {"as_of": "2026-11-15", "current": 55.0, "confidence": "high"}]


@pytest.fixture(scope="module")
def published_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small plan with two check-ins, published as 2026-Q4, then a third check-in committed: the values of
    the first two are on gh-pages, all three in git."""
    repo = make_repo(tmp_path_factory.mktemp("trends"))
    check_in(repo, "2026-10-15", 45, "low", "Webinar two was cancelled")
    check_in(repo, "2026-10-31", 50, "medium")
    assert handbook(repo, "publish", "2026-Q4") == 0
    check_in(repo, "2026-11-15", 55, "high")
    return repo


def clone(repo: Path, into: Path, *, shallow: bool) -> Path:
    """A clone as CI makes one: `--depth 1` when shallow, and the publishing branch fetched (its tip only)."""
    depth = ["--depth", "1"] if shallow else []
    subprocess.run(["git", "clone", "-q", *depth, f"file://{repo}", str(into)], check=True)
    git(into, "fetch", "-q", *depth, "origin", "gh-pages:gh-pages")
    return into


def trend_names(page: str) -> list[str]:
    return [html.unescape(name) for name in re.findall(r'<svg class="handbook-trend"[^>]* aria-label="([^"]*)"', page)]


def trend_rows(page: str) -> list[tuple[str, ...]]:
    table = page[page.index('<details class="handbook-trend-table">'):]
    table = table[:table.index("</details>")]
    return [tuple(html.unescape(cell) for cell in re.findall(r"<td>(.*?)</td>", row))
            for row in re.findall(r"<tr>(<td>.*?)</tr>", table)]


@pytest.mark.parametrize("shallow", [False, True], ids=["clone", "shallow-clone"])
def test_a_build_reads_every_check_in_back_from_git_and_the_published_site(published_repo: Path, tmp_path: Path,
                                                                            shallow: bool) -> None:
    work = clone(published_repo, tmp_path / "work", shallow=shallow)
    if shallow:
        assert git(work, "rev-list", "--count", "HEAD") == "1"
    assert handbook(work, "build", "--quiet", "--site-dir", str(tmp_path / "site")) == 0
    site = tmp_path / "site"
    page = (site / TEAM_PAGE).read_text(encoding="utf-8")
    assert trend_names(page)[0] == EXPECTED_NAME
    assert trend_rows(page) == EXPECTED_ROWS
    data = json.loads((site / urls.HISTORY).read_text(encoding="utf-8"))
    assert data["goals"]["qualified-leads"] == EXPECTED_DATA
    assert len(data["goals"]["north-new-arr"]) == 3  # unchanged values still have a point per day


def test_the_published_version_carries_its_history_forward(published_repo: Path) -> None:
    published = json.loads(git(published_repo, "show", f"gh-pages:2026-Q4/{urls.HISTORY}"))
    assert published["goals"]["qualified-leads"] == EXPECTED_DATA[:2]


def test_without_history_a_bar_has_no_trend(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    assert handbook(repo, "build", "--quiet", "--site-dir", str(tmp_path / "site")) == 0
    page = (tmp_path / "site" / TEAM_PAGE).read_text(encoding="utf-8")
    assert "handbook-progress" in page and trend_names(page) == [] and "handbook-trend-table" not in page
    data = json.loads((tmp_path / "site" / urls.HISTORY).read_text(encoding="utf-8"))
    assert data["goals"]["qualified-leads"] == [{"as_of": "2026-11-15", "current": 55.0}]


def test_handbook_export_inlines_the_trend(published_repo: Path, tmp_path: Path) -> None:
    work = clone(published_repo, tmp_path / "work", shallow=False)
    assert handbook(work, "export", str(tmp_path / "export")) == 0
    markdown = (tmp_path / "export" / "docs" / "teams" / "field-marketing.md").read_text(encoding="utf-8")
    assert trend_names(markdown)[0] == EXPECTED_NAME and trend_rows(markdown) == EXPECTED_ROWS
    assert (tmp_path / "export" / "docs" / urls.HISTORY).is_file()


# ---------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def trend_url(published_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("trend-site") / "site"
    assert handbook(published_repo, "build", "--quiet", "--site-dir", str(site)) == 0
    with serve_folder(site) as url:
        yield url


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_the_trend_is_an_image_with_its_name_beside_a_table_and_the_page_is_axe_clean(browser, trend_url: str,
                                                                                        width: int) -> None:
    from axe_playwright_python.sync_playwright import Axe

    with guarded_page(browser, viewport={"width": width, "height": 900}) as page:
        page.goto(trend_url + "teams/field-marketing/")
        trend = page.get_by_role("img", name=EXPECTED_NAME)
        assert trend.count() == 1 and trend.is_visible()
        box = trend.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width  # on the screen, at a phone's width too
        table = page.locator("details.handbook-trend-table").first
        table.locator("summary").click()
        rows = table.get_by_role("row").all_inner_texts()
        assert rows[1].split("\t")[:3] == ["15 Oct 2026", "45 leads", "low"]
        assert serious_violations(page, Axe()) == []
        assert page.problems == []


TREND_CONTRASTS = """colours => {""" + CONTRAST_RATIO + """
  const page = rgb(getComputedStyle(document.body).backgroundColor);
  const trend = document.querySelector('svg.handbook-trend');
  const line = trend.querySelector('polyline'), point = trend.querySelector('circle');
  const found = [['target', ratio(rgb(getComputedStyle(trend.querySelector('line')).stroke), page)]];
  for (const colour of colours) {  // the page's own trend, drawn in each status colour in turn
    line.setAttribute('stroke', colour); point.setAttribute('fill', colour);
    found.push([colour + ' line', ratio(rgb(getComputedStyle(line).stroke), page)],
               [colour + ' point', ratio(rgb(getComputedStyle(point).fill), page)]);
  }
  return found;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_trend_line_stands_out_from_the_page_in_light_and_dark_mode(browser, trend_url: str, scheme: str) -> None:
    """A trend's line, its last point and its target line keep 3:1 with the page (WCAG 1.4.11), in every status
    colour."""
    from sales_handbook.site.diagrams import STATUS_COLOURS

    with guarded_page(browser, color_scheme=scheme) as page:
        page.goto(trend_url + "teams/field-marketing/")
        found = page.evaluate(TREND_CONTRASTS, sorted(set(STATUS_COLOURS.values())))
    assert len(found) == 1 + 2 * len(set(STATUS_COLOURS.values()))
    assert [(part, round(ratio, 2)) for part, ratio in found if ratio < 3] == []
