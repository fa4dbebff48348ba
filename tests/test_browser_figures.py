"""Every figure readable, on a desktop and on a phone: Debian's Chromium, offline.

Bars: every label lies inside its drawing, as the browser lays the text out (getBBox), and no two overlap.
Maps: on a phone a map keeps a readable size and scrolls sideways, and opens full size on its own.
"""

from __future__ import annotations

import re
import zlib

import pytest

from tests.conftest import guarded_page

pytestmark = pytest.mark.browser

LABELS = """svgs => svgs.map(svg => {
  const box = svg.viewBox.baseVal;
  return {view: [box.width, box.height],
          texts: [...svg.querySelectorAll('text')].map(t => {
            const b = t.getBBox(); return [t.textContent, b.x, b.y, b.width, b.height]; })};
})"""


@pytest.mark.parametrize("width", [1280, 390])
def test_no_bar_label_is_clipped_or_overlaps_another(browser, names_url: str, width: int) -> None:
    bars = []
    with guarded_page(browser, viewport={"width": width, "height": 900}) as page:
        # the team's goals on its page, its people's individual goals on theirs
        for address in ("teams/key-accounts-europe/", "people/orjan-braten/", "people/zoe-muller/",
                        "people/jose-nunez/", "people/li-wei/"):
            page.goto(names_url + address)
            bars += page.locator(".handbook-progress:not(.handbook-progress-mini) svg").evaluate_all(LABELS)
    assert len(bars) >= 3
    texts = [text for bar in bars for text, *_ in bar["texts"]]
    assert "baseline 100 % of key accounts" in texts and "line 95 % of key accounts" in texts
    for bar in bars:
        view_width, view_height = bar["view"]
        for text, x, y, w, h in bar["texts"]:
            assert 0 <= x and x + w <= view_width and 0 <= y and y + h <= view_height, (text, x, w, view_width)
        boxes = sorted((x, y, x + w, y + h, text) for text, x, y, w, h in bar["texts"])
        for i, first in enumerate(boxes):
            for second in boxes[i + 1:]:
                apart = first[2] <= second[0] or second[2] <= first[0] or first[3] <= second[1] or second[3] <= first[1]
                assert apart, (first[4], second[4])


def test_on_a_phone_the_map_scrolls_at_a_readable_size_and_opens_full_size(browser, example_url: str) -> None:
    with guarded_page(browser, viewport={"width": 390, "height": 800}) as page:
        page.goto(example_url + "alignment/map/")
        scroller = page.locator(".handbook-map-scroll")
        sizes = scroller.evaluate("""box => ({scroll: box.scrollWidth, client: box.clientWidth,
            drawn: box.querySelector('svg').getBoundingClientRect().width,
            natural: box.querySelector('svg').viewBox.baseVal.width})""")
        assert sizes["scroll"] > sizes["client"]  # it scrolls sideways...
        assert sizes["drawn"] / sizes["natural"] * 12 >= 10  # ...with its 12 px text drawn at 10 px or more
        scroller.evaluate("box => box.scrollLeft = box.scrollWidth")
        assert scroller.evaluate("box => box.scrollLeft") > 0
        with page.expect_navigation():
            page.get_by_role("link", name="Open the map full size").click()
        assert page.url.endswith("/alignment/map/map.svg")
        assert page.locator("svg").first.evaluate("svg => svg.getBoundingClientRect().width") >= 1000
        goal = page.locator("a[href*='#']").first
        href = goal.get_attribute("href")
        goal.click()
        page.wait_for_url(lambda url: url.endswith(href.split("/")[-1]) and "/teams/" in url)


def test_every_box_of_the_map_is_reached_with_tab_and_shows_its_focus(browser, example_url: str) -> None:
    with guarded_page(browser) as page:
        page.goto(example_url + "alignment/map/")
        boxes = page.locator(".handbook-map svg a").count()
        assert boxes > 20
        page.get_by_role("link", name="Open the map full size").focus()
        reached: set[str] = set()
        for _ in range(boxes):
            page.keyboard.press("Tab")
            focused = page.evaluate("""() => {
                const el = document.activeElement;
                if (!el.closest('.handbook-map svg')) return null;
                const style = getComputedStyle(el);
                const box = el.getBoundingClientRect();
                return {key: el.getAttribute('href') + ' ' + el.textContent.trim(), outline: style.outlineStyle,
                        width: parseFloat(style.outlineWidth),
                        seen: box.width > 0 && box.left >= 0 && box.right <= innerWidth && box.bottom > 0 && box.top < innerHeight};
            }""")
            assert focused is not None, "Tab left the map before every box was reached"
            assert focused["outline"] != "none" and focused["width"] >= 2, focused
            assert focused["seen"], focused  # scrolled into view
            reached.add(focused["key"])
        assert len(reached) == boxes


def test_a_focused_map_box_looks_different_from_an_unfocused_one(browser, example_url: str) -> None:
    with guarded_page(browser) as page:
        page.goto(example_url + "alignment/map/")
        for kind in ("objective", "department", "team", "goal", "individual"):
            box = page.locator(f".handbook-map svg a.handbook-map-{kind}").first
            box.scroll_into_view_if_needed()
            area = box.bounding_box()
            clip = {"x": area["x"] - 6, "y": area["y"] - 6, "width": area["width"] + 12, "height": area["height"] + 12}
            box.evaluate("a => a.blur()")
            unfocused = page.screenshot(clip=clip)
            box.focus()
            assert box.evaluate("a => document.activeElement === a")
            assert page.screenshot(clip=clip) != unfocused, kind


CONTRAST_RATIO = """
  const rgb = s => (s.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                     return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
"""
"""WCAG's contrast ratio of two computed colours ('rgb(…)'), for the browser: `ratio(rgb(a), rgb(b))`."""

CONTRASTS = """() => {""" + CONTRAST_RATIO + """
  const page = rgb(getComputedStyle(document.body).backgroundColor);
  return [...document.querySelectorAll('.handbook-map svg text, .handbook-progress svg text')].map(text => {
    const box = text.parentElement.tagName === 'a' ? text.parentElement.querySelector('rect') : null;
    const behind = box ? rgb(getComputedStyle(box).fill) : page;
    return [text.textContent, ratio(rgb(getComputedStyle(text).fill), behind)];
  });
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_figures_are_legible_in_light_and_dark_mode(browser, names_url: str, example_url: str, scheme: str) -> None:
    """The reader's colour scheme picks Material's palette; every figure's text keeps 4.5:1 with what is behind it."""
    low: list[tuple[str, str, float]] = []
    with guarded_page(browser, color_scheme=scheme) as page:
        for url in (names_url + "teams/key-accounts-europe/", example_url + "alignment/map/"):
            page.goto(url)
            assert page.locator("body").get_attribute("data-md-color-scheme") == ("slate" if scheme == "dark" else "default")
            found = page.evaluate(CONTRASTS)
            assert len(found) > 5
            low += [(url, text, round(ratio, 2)) for text, ratio in found if ratio < 4.5]
    assert low == []


def test_the_palette_switch_turns_dark_mode_on_and_off(browser, example_url: str) -> None:
    with guarded_page(browser, color_scheme="light") as page:
        page.goto(example_url)
        page.get_by_title("Switch to dark mode").click()
        assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
        page.get_by_title("Switch to light mode").click()
        assert page.locator("body").get_attribute("data-md-color-scheme") == "default"


def test_a_printed_team_page_has_every_figure_and_no_navigation(browser, names_url: str) -> None:
    with guarded_page(browser) as page:
        page.goto(names_url + "teams/key-accounts-europe/")
        labels = page.locator(".handbook-progress svg[role=img]").evaluate_all("svgs => svgs.map(s => s.getAttribute('aria-label'))")
        assert len(labels) == 2  # its two goals with a target (its people's goals are on their own pages)
        pdf = page.pdf(tagged=True)  # a tagged PDF names each figure by its text alternative
        page.emulate_media(media="print")
        for chrome in (".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer"):
            assert not page.locator(chrome).first.is_visible(), chrome
        for bar in page.locator(".handbook-progress:not(.handbook-progress-mini) svg").all():
            assert bar.is_visible() and bar.bounding_box()["width"] > 300
    streams = [pdf]
    for found in re.finditer(rb"stream\r?\n", pdf):
        try:
            streams.append(zlib.decompress(pdf[found.end():pdf.find(b"endstream", found.end())]))
        except zlib.error:
            pass
    alternatives = re.findall(rb"/Alt \(((?:[^()\\]|\\.)*)\)", b"\n".join(streams))
    printed = [re.sub(rb"\\(.)", rb"\1", alt).decode("latin-1") for alt in alternatives]
    assert sorted(printed) == sorted(labels)


def test_a_printed_person_page_has_each_goal_in_full_and_no_navigation(browser, example_url: str) -> None:
    with guarded_page(browser) as page:
        page.goto(example_url + "people/camila-souza/")
        assert page.locator("h1").inner_text().removesuffix("¶").strip() == "Camila Souza"
        bars = page.locator(".handbook-progress:not(.handbook-progress-mini) svg[role=img]")
        assert bars.count() == 3  # her three individual goals, each with its bar and its text alternative
        assert all(label for label in bars.evaluate_all("svgs => svgs.map(s => s.getAttribute('aria-label'))"))
        page.pdf()
        page.emulate_media(media="print")
        for chrome in (".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer"):
            assert not page.locator(chrome).first.is_visible(), chrome
        for bar in bars.all():
            assert bar.is_visible() and bar.bounding_box()["width"] > 300


SEGMENTS = """svg => [...svg.querySelectorAll('rect > title')].map(t => t.textContent)"""


def test_every_rollup_bar_says_in_words_what_it_shows(browser, example_url: str) -> None:
    with guarded_page(browser) as page:
        for address in ("objectives/grow-recurring-revenue/", "teams/latam-sales/", "departments/sales/",
                        "people/camila-souza/"):
            page.goto(example_url + address)
            rollup = page.locator(".handbook-rollup:not(.handbook-rollup-mini)")
            assert rollup.count() == 1, address
            svg = rollup.locator("svg")
            assert svg.get_attribute("aria-hidden") == "true" and svg.is_visible()
            # the sentence just above it is its text alternative: "12 goals: 8 on track, 3 at risk, 1 off track"
            sentence = rollup.evaluate("div => div.previousElementSibling.textContent")
            total, counts = re.search(r"(\d+) goals?: (.+)$", sentence).groups()
            assert svg.evaluate(SEGMENTS) == counts.split(", "), address
            assert sum(int(part.split(" ")[0]) for part in counts.split(", ")) == int(total)
        page.goto(example_url)
        minis = page.locator("table .handbook-rollup-mini svg")
        assert minis.count() >= 5
        for mini in minis.all():  # each beside its counts in words, in the same cell
            cell = mini.locator("xpath=ancestor::td")
            assert ", ".join(mini.evaluate(SEGMENTS)) == cell.inner_text().strip()
