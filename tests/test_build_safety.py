"""Builds that lose nothing: an interrupted build keeps the old site; same plan, same bytes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import pages
from generator.loader import load_plan
from tests.conftest import REPO, build_site
from tests.planfiles import EXAMPLE_PLAN
from tests.test_build import tree_digest


def start_build(cwd: Path, site: Path) -> subprocess.Popen[bytes]:
    """`handbook build` of the example plan in its own process, so it can be interrupted."""
    return subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "build", "--quiet", "--plan", str(EXAMPLE_PLAN),
         "--site-dir", str(site), "--config", str(REPO / "mkdocs.yml")],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def test_killed_build_leaves_the_previous_site_intact(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert build_site(EXAMPLE_PLAN, site) == 0
    before = tree_digest(site)
    build = start_build(tmp_path, site)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".site.building-") and any(p.rglob("*.html")) for p in tmp_path.iterdir()):
        assert build.poll() is None, "the build finished before it could be interrupted"
        assert time.monotonic() < deadline, "the build never started writing"
        time.sleep(0.005)
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=10)
    assert build.returncode == -signal.SIGKILL
    assert tree_digest(site) == before


def test_interrupted_build_cleans_up_its_staging_folder(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert build_site(EXAMPLE_PLAN, site) == 0
    before = tree_digest(site)
    build = start_build(tmp_path, site)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".site.building-") for p in tmp_path.iterdir()):
        assert build.poll() is None and time.monotonic() < deadline
        time.sleep(0.005)
    build.send_signal(signal.SIGINT)
    build.wait(timeout=30)
    assert build.returncode != 0
    assert tree_digest(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


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
