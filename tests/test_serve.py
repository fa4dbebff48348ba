"""`handbook serve`: a leader edits the plan and sees the page change without restarting."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import REPO
from tests.planfiles import make_plan, replace_in


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, predicate, seconds: float = 60) -> str:
    """Poll `url` until its body satisfies `predicate`; fail after `seconds` (a bound, not a speed test)."""
    deadline = time.monotonic() + seconds
    body = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body = response.read().decode("utf-8")
            if predicate(body):
                return body
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never matched; last body started: {body[:200]!r}")


def test_serve_rebuilds_when_a_plan_file_changes(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "theme", tmp_path / "theme")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sales_handbook.cli", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    try:
        page = f"http://127.0.0.1:{port}/teams/north-sales/"
        wait_for(page, lambda body: "Sign €1.2 m of new-customer ARR" in body)
        replace_in(plan, "teams/north-sales.yaml", "title: Sign €1.2 m of new-customer ARR",
                   "title: Sign €1.4 m of new-customer ARR")
        wait_for(page, lambda body: "Sign €1.4 m of new-customer ARR" in body)
        objective = wait_for(f"http://127.0.0.1:{port}/objectives/grow-revenue/", lambda body: "€1.4 m" in body)
        assert "€1.2 m" not in objective
        # The permanent addresses are written just after the rebuild: the edited goal's names its new title.
        wait_for(f"http://127.0.0.1:{port}/goals/north-new-arr/", lambda body: "Sign €1.4 m" in body)
        for address in ("goals/south-new-logos/", "people/nora-lind/"):
            wait_for(f"http://127.0.0.1:{port}/{address}", lambda body: "teams/" in body)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_looks_at_the_plan_folder_more_often_than_mkdocs(tmp_path: Path) -> None:
    from mkdocs.livereload import LiveReloadServer

    from sales_handbook.engine.session import WATCH_INTERVAL, Serving

    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=free_port(), root=str(tmp_path))
    (tmp_path / "plan").mkdir()
    server.watch(str(tmp_path / "plan"))
    server.watch(str(tmp_path / "plan"))  # watched twice (two plugins): unwatching once must not drop it
    server.watch(str(tmp_path / "mkdocs.yml"))
    assert server.observer.timeout == 0.5  # MkDocs' own interval, which this test would otherwise not be about

    served = Serving(dirty=True).serve(server)

    assert served is server
    assert server.observer.timeout == WATCH_INTERVAL < 0.5
    assert sorted(emitter.watch.path for emitter in server.observer.emitters) == \
        sorted([str(tmp_path / "plan"), str(tmp_path / "mkdocs.yml")])
    server.unwatch(str(tmp_path / "plan"))
    assert str(tmp_path / "plan") in [emitter.watch.path for emitter in server.observer.emitters]


def clean_serve_rebuild(plan: Path, site: Path) -> None:
    """One build as plain `mkdocs serve` makes it (the site folder emptied first), in this process.

    MkDocs keeps the plugins for the next configuration loaded in the process: they are told afterwards
    that the serving is over, or the other tests' builds would be serve rebuilds. (A dirty build in this
    process would leave Material's search plugin holding its index for the next build:
    `handbook serve`'s dirty rebuilds are tested in a server of their own, above.)
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(REPO / "mkdocs.yml"), docs_dir=str(plan), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()  # as when serving stops: the last rebuild's redirects are written by then
        config.plugins.on_startup(command="build", dirty=False)


def test_every_rebuild_under_plain_mkdocs_serve_has_every_permanent_address(tmp_path: Path) -> None:
    """Plain `mkdocs serve` empties the site folder before each rebuild: every redirect is written again."""
    plan = make_plan(tmp_path)
    site = tmp_path / "site"
    for title in ("Sign €1.3 m of new-customer ARR", "Sign €1.5 m of new-customer ARR"):
        replace_in(plan, "teams/north-sales.yaml", "title: Sign €1.2 m of new-customer ARR", f"title: {title}")
        clean_serve_rebuild(plan, site)
        for unchanged in ("goals/south-new-logos", "people/nora-lind"):
            assert (site / unchanged / "index.html").is_file(), (title, unchanged)
        assert (site / "plan.json").is_file()
        replace_in(plan, "teams/north-sales.yaml", f"title: {title}", "title: Sign €1.2 m of new-customer ARR")
