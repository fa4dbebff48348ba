"""The cycle collector is paused for the work of a build and always comes back."""

from __future__ import annotations

import contextlib
import gc
import threading
import weakref
from collections.abc import Callable
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.plugins import BasePlugin

from sales_handbook.speed import collector
from sales_handbook.speed.collector import Pause, paused
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


def serve_builds(plan: Path, site: Path, rebuilds: int, *, between: Callable[[], None] = lambda: None) -> Probe:
    """Builds as `handbook serve` makes them, in this process, with a probe beside the handbook plugin;
    `between` runs after each. Then serving stops, as when the server is stopped.

    MkDocs keeps a plugin with `on_startup` for the next configuration loaded in the process:
    it is told that the serving is over, or the other tests' builds would be serve rebuilds.
    """
    config = load_config(str(REPO / "mkdocs.yml"), docs_dir=str(plan), site_dir=str(site))
    probe = config.plugins["probe"] = Probe()
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        for _ in range(rebuilds):
            with contextlib.suppress(SystemExit):  # a failed rebuild: the server goes on
                build(config)
            between()
    finally:
        config.plugins.on_shutdown()
        config.plugins.on_startup(command="build", dirty=False)
    return probe


def full_collection_within(seconds: float) -> bool:
    """Whether the collector runs a full collection within `seconds` (a bound for a background thread)."""
    started = threading.Event()

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            started.set()

    gc.callbacks.append(note)
    try:
        return started.wait(seconds)
    finally:
        gc.callbacks.remove(note)


def test_serve_rebuilds_run_without_collections_and_one_follows_a_quiet_moment(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    collected: list[bool] = []
    probe = serve_builds(plan, tmp_path / "site", 2, between=lambda: collected.append(full_collection_within(30)))
    assert probe.enabled and not any(probe.enabled)
    assert collected == [True, True]
    assert gc.isenabled()


def test_a_failed_serve_rebuild_is_collected_after_and_serving_stops_with_the_collector_on(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    replace_in(plan, "teams/north-sales.yaml", "objective: grow-revenue", "objective: grow-revenu")
    collected: list[bool] = []
    serve_builds(plan, tmp_path / "site", 1, between=lambda: collected.append(full_collection_within(30)))
    assert collected == [True]
    assert gc.isenabled()


def test_edits_saved_faster_than_the_quiet_moment_still_get_their_garbage_collected() -> None:
    class Cycle:
        def __init__(self) -> None:
            self.me = self

    rebuilds = collector.BetweenRebuilds(every=3)
    try:
        leftovers = []
        for _ in range(3):
            rebuilds.rebuild_starts()
            leftovers.append(weakref.ref(Cycle()))  # garbage only the cycle collector frees
            rebuilds.rebuild_ended()  # the next rebuild starts before a quiet second has passed
        assert all(ref() is not None for ref in leftovers)
        rebuilds.rebuild_starts()
        assert all(ref() is None for ref in leftovers)
        assert rebuilds.collections == 1
        rebuilds.rebuild_ended()
    finally:
        rebuilds.stop()
