"""The cycle collector is paused for the work of a build and always comes back."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.plugins import BasePlugin

from generator.collector import Pause, paused
from tests.conftest import REPO
from tests.planfiles import make_plan, replace_in


def test_a_pause_restores_the_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    pause = Pause()
    pause.start()
    pause.start()  # a rebuild that failed before its end: still one pause
    assert not gc.isenabled()
    pause.end()
    assert gc.isenabled()
    pause.end()  # no pause to end
    assert gc.isenabled()
    gc.disable()
    try:
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


class Probe(BasePlugin):  # type: ignore[type-arg]
    """Notes, page by page, whether the collector is on while MkDocs builds."""

    def __init__(self) -> None:
        self.enabled: list[bool] = []

    def on_page_markdown(self, markdown: str, **_: object) -> str:
        self.enabled.append(gc.isenabled())
        return markdown

    def on_post_page(self, output: str, **_: object) -> str:
        self.enabled.append(gc.isenabled())
        return output


def serve_build(plan: Path, site: Path) -> Probe:
    """A build as `handbook serve` makes it, in this process, with a probe beside the handbook plugin.

    MkDocs keeps a plugin with `on_startup` for the next configuration loaded in the process:
    it is told that the serving is over, or the other tests' builds would be serve rebuilds.
    """
    config = load_config(str(REPO / "mkdocs.yml"), docs_dir=str(plan), site_dir=str(site))
    probe = config.plugins["probe"] = Probe()
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_startup(command="build", dirty=False)
    return probe


def test_a_serve_rebuild_runs_without_collections_and_collects_after_it(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    for _ in range(2):
        probe = serve_build(plan, tmp_path / "site")
        assert probe.enabled and not any(probe.enabled)
        assert gc.isenabled()


def test_a_failed_serve_rebuild_collects_again(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    replace_in(plan, "teams/north-sales.yaml", "objective: grow-revenue", "objective: grow-revenu")
    with pytest.raises(SystemExit):
        serve_build(plan, tmp_path / "site")
    assert gc.isenabled()
