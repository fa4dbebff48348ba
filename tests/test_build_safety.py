"""Builds that lose nothing: an interrupted build keeps the old site; same plan, same bytes."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest

from sales_handbook.site import pages
from sales_handbook.plan.loader import load_plan
from tests.conftest import build_site
from tests.paused import leftovers, project_with_pause_hook, start, wait_for
from tests.publishing import handbook
from tests.planfiles import EXAMPLE_PLAN
from tests.test_build import tree_digest


def test_killed_build_leaves_the_previous_site_intact(tmp_path: Path) -> None:
    project = project_with_pause_hook(tmp_path)
    assert handbook(project, "build", "--quiet") == 0
    site = project / "site"
    before = tree_digest(site)
    pause = tmp_path / "pause"
    build = start(project, "build", "--quiet", pause=pause)
    wait_for(pause.with_name("pause.started"), build)  # MkDocs is writing pages into the staging folder
    assert any(any(p.rglob("*.html")) for p in project.glob(".site.building-*"))
    build.send_signal(signal.SIGKILL)
    build.communicate(timeout=10)
    assert build.returncode == -signal.SIGKILL
    assert tree_digest(site) == before
    assert handbook(project, "build", "--quiet") == 0  # the next build clears what the killed one left
    assert leftovers(project) == []


def test_interrupted_build_cleans_up_its_staging_folder(tmp_path: Path) -> None:
    project = project_with_pause_hook(tmp_path)
    assert handbook(project, "build", "--quiet") == 0
    site = project / "site"
    before = tree_digest(site)
    pause = tmp_path / "pause"
    build = start(project, "build", "--quiet", pause=pause)
    wait_for(pause.with_name("pause.started"), build)
    build.send_signal(signal.SIGINT)
    build.communicate(timeout=30)
    assert build.returncode == 130
    assert tree_digest(site) == before
    assert leftovers(project) == []


def test_same_plan_and_source_date_epoch_give_identical_sites(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    assert build_site(EXAMPLE_PLAN, tmp_path / "one") == 0
    copy = tmp_path / "plan-copy"
    shutil.copytree(EXAMPLE_PLAN, copy)
    assert build_site(copy, tmp_path / "two") == 0
    one, two = tree_digest(tmp_path / "one"), tree_digest(tmp_path / "two")
    assert sorted(one) == sorted(two)
    assert [path for path in one if one[path] != two[path]] == []


def test_pages_do_not_depend_on_file_system_order(tmp_path: Path) -> None:
    forward = tmp_path / "forward"
    shutil.copytree(EXAMPLE_PLAN, forward)
    backward = tmp_path / "backward"
    backward.mkdir()
    for source in sorted(EXAMPLE_PLAN.rglob("*"), reverse=True):
        target = backward / source.relative_to(EXAMPLE_PLAN)
        if source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    assert pages.render(load_plan(forward)) == pages.render(load_plan(backward))
