"""`handbook serve`: a leader edits the plan and sees the page change without restarting."""

from __future__ import annotations

import logging
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
        [sys.executable, "-m", "generator.cli", "serve", "--dev-addr", f"127.0.0.1:{port}"],
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
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_looks_at_the_plan_folder_more_often_than_mkdocs(tmp_path: Path) -> None:
    from mkdocs.livereload import LiveReloadServer

    from generator.plugin import WATCH_INTERVAL, HandbookPlugin

    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=free_port(), root=str(tmp_path))
    (tmp_path / "plan").mkdir()
    server.watch(str(tmp_path / "plan"))
    server.watch(str(tmp_path / "plan"))  # watched twice (two plugins): unwatching once must not drop it
    server.watch(str(tmp_path / "mkdocs.yml"))
    assert server.observer.timeout == 0.5  # MkDocs' own interval, which this test would otherwise not be about

    served = HandbookPlugin().on_serve(server, config=None, builder=None)  # type: ignore[arg-type]

    assert served is server
    assert server.observer.timeout == WATCH_INTERVAL < 0.5
    assert sorted(emitter.watch.path for emitter in server.observer.emitters) == \
        sorted([str(tmp_path / "plan"), str(tmp_path / "mkdocs.yml")])
    server.unwatch(str(tmp_path / "plan"))
    assert str(tmp_path / "plan") in [emitter.watch.path for emitter in server.observer.emitters]


def serve_rebuild(plan: Path, site: Path, *, dirty: bool) -> None:
    """One build as `mkdocs serve` makes it (`dirty`: as `handbook serve` does), in this process.

    MkDocs keeps the plugin for the next configuration loaded in the process: it is told afterwards
    that the serving is over, or the other tests' builds would be serve rebuilds.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from generator.cli import _DirtyBuildNotice

    config = load_config(str(REPO / "mkdocs.yml"), docs_dir=str(plan), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=dirty)
    notice = _DirtyBuildNotice()  # as `handbook serve` does: the dirty build's warning would stop a strict build
    logging.getLogger("mkdocs.commands.build").addFilter(notice)
    try:
        build(config, dirty=dirty)
    finally:
        logging.getLogger("mkdocs.commands.build").removeFilter(notice)
        config.plugins.on_shutdown()  # as when serving stops: the last rebuild's redirects are written by then
        config.plugins.on_startup(command="build", dirty=False)


def test_every_rebuild_of_a_served_site_has_every_permanent_address(tmp_path: Path) -> None:
    """Plain `mkdocs serve` empties the site folder before each rebuild; `handbook serve` does not."""
    plan = make_plan(tmp_path)
    for dirty in (False, True):
        site = tmp_path / f"site-{dirty}"
        for title in ("Sign €1.3 m of new-customer ARR", "Sign €1.5 m of new-customer ARR"):
            replace_in(plan, "teams/north-sales.yaml", "title: Sign €1.2 m of new-customer ARR", f"title: {title}")
            serve_rebuild(plan, site, dirty=dirty)
            for unchanged in ("goals/south-new-logos", "people/nora-lind"):
                assert (site / unchanged / "index.html").is_file(), (dirty, title, unchanged)
            assert (site / "plan.json").is_file()
            replace_in(plan, "teams/north-sales.yaml", f"title: {title}", "title: Sign €1.2 m of new-customer ARR")
