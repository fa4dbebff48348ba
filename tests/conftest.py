"""Shared fixtures: the repository, built sites, a localhost server and Debian's Chromium."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import cli
from tests.planfiles import EXAMPLE_PLAN

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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def example_url(example_site: Path) -> Iterator[str]:
    """The built example site served on localhost, as a static host would."""
    handler = functools.partial(_QuietHandler, directory=str(example_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


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
