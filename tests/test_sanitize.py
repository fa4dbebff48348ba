"""Plan text cannot run script: the sanitizer, a strict build of a hostile plan, and a real browser.

The hostile plan puts every vector of `tests/hostile.py` into every text field:
Markdown prose (mission, descriptions, review summary) and titles, names and
cells alike. Its build must pass in strict mode, and neither the page content
nor the theme around it (site name, navigation, <title>) may carry a vector.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import markdown
import pytest
from mkdocs.utils.meta import get_data

from sales_handbook.plan import lineage
from sales_handbook.site import pages, sanitize
from sales_handbook.plan.loader import load_plan
from tests.conftest import build_site
from tests.hostile import FIELDS, NASTY, VECTORS, article, hostile_plan, markdown_options, script_vectors
from tests.planfiles import EXAMPLE_PLAN, SMALL_PLAN

EXTENSIONS, EXTENSION_CONFIGS = markdown_options()

INERT_IN_MARKDOWN = frozenset({"<!--<script>alert(1)</script>-->", '<div id="__config">{"search": "javascript:alert(1)"}</div>'})
"""Vectors that are harmless in Python-Markdown's own output (a comment; an id, checked separately)."""

LEGIT = """\
# Title { #goal-a }

## Sub heading

Text with *emphasis*, **strong**, `code`, a [relative link](../teams/north-sales.md#north-new-arr),
an [external link](https://example.com/a?b=1&c=2), [mail](mailto:sales@example.com) and [an anchor](#goal-a).

| Left | Right |
| :--- | ---: |
| a | 1 |

- one
- two

Then:

1. three
2. four

Term
:   Definition

!!! warning "Careful"
    Admonition text.

> A quote.

    indented code

---

![logo](img/logo.png) ![remote](https://example.com/logo.png "Logo")
"""


def to_html(text: str) -> str:
    """Markdown as MkDocs converts it for our pages, before sanitizing (front matter taken off first, as MkDocs does)."""
    body, _ = get_data(text)
    return markdown.markdown(body, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)


def events(html: str) -> list[tuple]:
    """What a browser builds from `html`: tags with their attributes, and text."""

    class Recorder(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.seen: list[tuple] = []

        def handle_starttag(self, tag, attrs):
            self.seen.append(("start", tag, tuple(sorted(attrs))))

        def handle_endtag(self, tag):
            self.seen.append(("end", tag))

        def handle_data(self, data):
            self.seen.append(("text", data))

    recorder = Recorder()
    recorder.feed(html)
    recorder.close()
    return recorder.seen


@pytest.mark.parametrize("vector", VECTORS)
def test_each_vector_is_removed(vector: str) -> None:
    raw = to_html(vector)
    if vector not in INERT_IN_MARKDOWN:
        assert script_vectors(raw), f"the test vector is not live in Markdown's output: {raw}"
    assert script_vectors(sanitize.clean_html(raw)) == []


def test_markdown_features_of_the_handbook_are_kept() -> None:
    html = sanitize.clean_html(to_html(LEGIT))
    for expected in (
        '<h1 id="goal-a">Title<a class="headerlink" href="#goal-a" title="Permanent link">',
        '<h2 id="sub-heading">',
        '<a href="../teams/north-sales.md#north-new-arr">relative link</a>',
        '<a href="https://example.com/a?b=1&amp;c=2">external link</a>',
        '<a href="mailto:sales@example.com">mail</a>',
        '<a href="#goal-a">an anchor</a>',
        "<em>emphasis</em>", "<strong>strong</strong>", "<code>code</code>",
        '<th align="left">Left</th>', '<td align="right">1</td>',
        "<ul>\n<li>one</li>", "<ol>\n<li>three</li>",
        "<dt>Term</dt>\n<dd>Definition</dd>",
        '<div class="admonition warning">\n<p class="admonition-title">Careful</p>',
        "<blockquote>\n<p>A quote.</p>\n</blockquote>",
        "<pre><code>indented code\n</code></pre>",
        "<hr>",
        '<img alt="logo" src="img/logo.png">',
        '<img alt="remote" src="https://example.com/logo.png" title="Logo">',
    ):
        assert expected in html
    assert script_vectors(html) == []


@pytest.mark.parametrize("plan_dir", [SMALL_PLAN, EXAMPLE_PLAN], ids=["small-plan", "example-plan"])
def test_sanitizing_our_pages_changes_nothing_a_reader_sees(plan_dir: Path) -> None:
    for path, text in pages.render(load_plan(plan_dir)).items():
        html = to_html(text)
        assert events(sanitize.clean_html(html)) == events(html), path


def test_ids_the_theme_relies_on_cannot_be_taken_by_plan_text() -> None:
    html = to_html('<div id="__config">{}</div>\n\n## Kept { #our-goal }\n\nParagraph\n{: #__search }')
    cleaned = sanitize.clean_html(html)
    assert 'id="__config"' in html and 'id="__search"' in html
    assert "__config" not in cleaned and "__search" not in cleaned
    assert '<h2 id="our-goal">' in cleaned


def test_classes_that_restyle_the_theme_are_dropped() -> None:
    cleaned = sanitize.clean_html(to_html('!!! note md-dialog\n    x\n\nText\n{: .md-header }'))
    assert '<div class="admonition note">' in cleaned
    assert "md-dialog" not in cleaned and "md-header" not in cleaned


def test_titles_for_the_theme_are_escaped_once() -> None:
    nav = sanitize.navigation_for_theme([{"Home": "index.md"}, {"<b>R&D</b>": ["teams/index.md", {"A \"q\"": "a.md"}]}])
    assert nav == [{"Home": "index.md"}, {"&lt;b&gt;R&amp;D&lt;/b&gt;": ["teams/index.md", {"A &#34;q&#34;": "a.md"}]}]
    title = sanitize.theme_text("R&D <script>")
    assert str(title) == "R&amp;D &lt;script&gt;"
    assert str(title.__html__()) == str(title)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile plan (every vector in every text field), built once in strict mode."""
    root = tmp_path_factory.mktemp("hostile")
    plan = hostile_plan(root / "plan", {field: NASTY for field in FIELDS})
    site = root / "site"
    assert build_site(plan, site) == 0, "the hostile plan must build in strict mode"
    return site


def built_pages(site: Path) -> list[Path]:
    """Every HTML page of the site that the plan generated (not Material's 404 page, not a redirect)."""
    return sorted(p for p in site.rglob("index.html") if p not in redirects(site))


def redirects(site: Path) -> list[Path]:
    """The small redirect files at permanent addresses (/goals/<id>/, former ids)."""
    return sorted(p for p in site.rglob("index.html") if 'http-equiv="refresh"' in p.read_text(encoding="utf-8"))


def test_hostile_plan_builds_strict_clean_with_every_page(hostile_site: Path) -> None:
    plan_pages = pages.render(load_plan(hostile_site.parent / "plan"))
    assert len(built_pages(hostile_site)) == len(plan_pages)


def test_redirects_carry_hostile_titles_only_as_text(hostile_site: Path) -> None:
    """Goal titles are in the redirect files: never as markup, never inside their script."""
    found = redirects(hostile_site)
    assert len(found) == len(lineage.of(load_plan(hostile_site.parent / "plan")).items["goal"])
    for path in found:
        assert script_vectors(path.read_text(encoding="utf-8"), content_only=False) == [], path


def test_no_script_vector_in_the_content_of_any_page(hostile_site: Path) -> None:
    for path in built_pages(hostile_site):
        html = path.read_text(encoding="utf-8")
        assert script_vectors(article(html)) == [], path


def test_no_plan_text_turns_into_markup_around_the_content(hostile_site: Path) -> None:
    for path in [*built_pages(hostile_site), hostile_site / "404.html"]:
        html = path.read_text(encoding="utf-8")
        assert script_vectors(html, content_only=False) == [], path
        title = re.search(r"<title>(.*?)</title>", html, re.S)
        assert title and "<" not in title[1], path


def test_the_markdown_in_hostile_text_still_renders(hostile_site: Path) -> None:
    content = article((hostile_site / "mission" / "index.html").read_text(encoding="utf-8"))
    assert "R&amp;D | &lt;b&gt;<em>not</em> bold&lt;/b&gt; <code>tick</code> [link] # heading" in content  # HTML as text
    assert '<a href="https://example.com/">styled</a>' in content
    assert "[x](javascript:alert(1))" in content  # a link that would run script is shown as typed


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def hostile_url(hostile_site: Path) -> Iterator[str]:
    """The hostile site on localhost, as a static host would serve it."""
    handler = functools.partial(_QuietHandler, directory=str(hostile_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_no_dialog_and_no_console_error_on_any_page_or_in_search(browser, hostile_site: Path, hostile_url: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    problems: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message} on {page.url}")
        dialog.dismiss()

    def on_console(message) -> None:
        # `<img src=x onerror=...>` survives as `<img src="x">`: its failed load is the one error expected.
        missing_image = message.text.startswith("Failed to load resource") and message.location["url"].endswith("/x")
        if message.type == "error" and not missing_image:
            problems.append(f"console: {message.text} on {page.url}")

    def guard(route, request) -> None:
        if urlparse(request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            problems.append(f"request left localhost: {request.url}")
            route.abort()

    page.on("dialog", on_dialog)
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    context.route("**/*", guard)
    try:
        page.goto(hostile_url)
        page.evaluate("() => alert('probe')")
        assert len(dialogs) == 1, "the dialog listener must see an alert"
        dialogs.clear()
        for path in built_pages(hostile_site):
            folder = path.parent.relative_to(hostile_site).as_posix()
            page.goto(hostile_url if folder == "." else f"{hostile_url}{folder}/")
            page.wait_for_load_state("load")
        page.goto(hostile_url)
        page.locator("label.md-search__icon, .md-search__input").first.click()
        # A query typed while the worker still builds the index is dropped: wait until it is ready.
        page.locator(".md-search-result__meta", has_text="Type to start searching").wait_for(timeout=20_000)
        page.locator("input.md-search__input").press_sequentially("heading", delay=20)
        page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
        page.wait_for_timeout(300)
    finally:
        context.close()
    assert dialogs == []
    assert problems == []


# ---------------------------------------------------------------- plan text may not set ids (issue 11)


class _Ids(HTMLParser):
    """Every element's id on a page, the way a browser reads them (script and style content is not markup)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [(value, tag) for name, value in attrs if name == "id" and value is not None]


def element_ids(html: str) -> list[tuple[str, str]]:
    parser = _Ids()
    parser.feed(html)
    return parser.ids


FORGERIES = ('<a id="goals">forged goals</a> <a id="north-new-arr">forged goal</a> '
             '<a\nid="people">over two lines</a> <b/id="olaf-berg">after a slash</b>\n'
             "{: #collaboration }\n\nText with {#north-handover-quality} inline and `{#code}` in code.")


def test_plan_text_cannot_give_a_page_a_second_element_with_an_id(tmp_path: Path) -> None:
    from tests.planfiles import make_plan, replace_in

    plan = make_plan(tmp_path)
    replace_in(plan, "teams/north-sales.yaml", "description: Sells to food distributors in the Nordics.\n",
               "description: |\n" + "".join(f"  {line}\n" if line else "\n" for line in FORGERIES.splitlines()))
    site = tmp_path / "site"
    assert build_site(plan, site) == 0
    for page in site.rglob("*.html"):
        ids = [value for value, _ in element_ids(page.read_text(encoding="utf-8"))]
        assert sorted(value for value in set(ids) if ids.count(value) > 1) == [], page
    north = dict((value, tag) for value, tag in element_ids((site / "teams/north-sales/index.html").read_text()))
    assert (north["goals"], north["people"], north["collaboration"]) == ("h2", "h2", "h2")
    assert (north["north-new-arr"], north["north-handover-quality"]) == ("h3", "h3")
    text = (site / "teams/north-sales/index.html").read_text()
    assert "{: #collaboration }" in text and "<code>{#code}</code>" in text  # shown as typed


def test_a_built_page_with_two_elements_of_one_id_fails_the_build_with_a_clear_error(tmp_path: Path) -> None:
    from tests.planfiles import make_plan
    from tests.test_build import plain_mkdocs_build

    make_plan(tmp_path)
    result = plain_mkdocs_build(tmp_path, theme_html='{% block announce %}<span id="goals"></span>{% endblock %}')
    assert result.returncode == 1
    assert "page teams/field-marketing/index.html has more than one element with the id 'goals'" in result.stderr
    assert "Traceback" not in result.stderr
