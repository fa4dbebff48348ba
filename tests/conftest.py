"""Shared fixtures: the repository, built sites, a localhost server and Debian's Chromium."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from sales_handbook import cli
from tests.planfiles import EXAMPLE_PLAN, TESTS, make_plan

REPO = EXAMPLE_PLAN.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def build_site(plan: Path, site: Path, audience: str | None = None) -> int:
    """Run `handbook build` as a user would, with the repository's mkdocs.yml.

    Without `audience` the command's default applies (public), as for a user who gives none.
    """
    options = [] if audience is None else ["--audience", audience]
    return cli.main(["build", "--quiet", "--plan", str(plan), "--site-dir", str(site),
                     "--config", str(REPO / "mkdocs.yml"), *options])


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plan's public site, built once for the whole session (strict mode, as in mkdocs.yml)."""
    site = tmp_path_factory.mktemp("example") / "site"
    assert build_site(EXAMPLE_PLAN, site) == 0
    return site


@pytest.fixture(scope="session")
def example_internal_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plan's internal site (items marked internal included, with their marker), built once."""
    site = tmp_path_factory.mktemp("example-internal") / "site"
    assert build_site(EXAMPLE_PLAN, site, "internal") == 0
    return site


def plan_in(folder: Path, language: str) -> Path:
    """A copy of the example plan in `folder` whose organization.yaml says `language: <language>`."""
    plan = folder / "plan"
    shutil.copytree(EXAMPLE_PLAN, plan)
    organization = plan / "organization.yaml"
    organization.write_text(organization.read_text(encoding="utf-8") + f"language: {language}\n", encoding="utf-8")
    return plan


@pytest.fixture(scope="session")
def example_site_in(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The example plan's public site in a language ('de', 'nb'), each built once for the whole session."""
    built: dict[str, Path] = {}

    def site(language: str) -> Path:
        if language not in built:
            folder = tmp_path_factory.mktemp(f"example-{language}")
            assert build_site(plan_in(folder, language), folder / "site") == 0
            built[language] = folder / "site"
        return built[language]

    return site


@pytest.fixture(scope="session")
def names_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The public site of tests/fixtures/names-plan (Ørjan Bråten, Zoë Müller, José Núñez, 李伟, a stay-above
    goal with a long unit), built once and served on localhost."""
    folder = tmp_path_factory.mktemp("names")
    plan = make_plan(folder, TESTS / "fixtures" / "names-plan")
    assert build_site(plan, folder / "site") == 0
    with serve_folder(folder / "site") as url:
        yield url


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """A folder served on localhost, as a static host would; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def example_url(example_site: Path) -> Iterator[str]:
    """The built example site served on localhost, as a static host would."""
    with serve_folder(example_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright, launched with the flags this machine needs."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run 'make test' (it installs Debian's chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextlib.contextmanager
def guarded_page(browser: object, **options: object) -> Iterator[object]:
    """A fresh page that fails the test on a console error or on any request that leaves localhost.

    `options` go to the browser context (for example `java_script_enabled=False`).
    """
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(**options)  # type: ignore[attr-defined]
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def guard(route, request) -> None:  # noqa: ANN001 - Playwright's callback
        host = urlparse(request.url).hostname
        if request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            problems.append(f"request left localhost: {request.url}")
            route.abort()

    context.route("**/*", guard)
    page.problems = problems
    yield page
    context.close()
    assert problems == [], "\n".join(problems)
