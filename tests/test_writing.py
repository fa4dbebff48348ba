"""Generated pages are rewritten only when they change; finished sites swap in whole."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.writing import FileWriter, replace_dir, sync_pages


def test_unchanged_pages_are_not_rewritten(tmp_path: Path) -> None:
    pages = {"index.md": "# Home\n", "teams/a.md": "# A\n", "teams/b.md": "# B\n"}
    assert sync_pages(tmp_path, pages) == ["index.md", "teams/a.md", "teams/b.md"]
    old = 1_000_000_000
    for path in tmp_path.rglob("*.md"):
        os.utime(path, (old, old))
    changed = sync_pages(tmp_path, {**pages, "teams/b.md": "# B, renamed\n"})
    assert changed == ["teams/b.md"]
    assert (tmp_path / "index.md").stat().st_mtime == old
    assert (tmp_path / "teams/a.md").stat().st_mtime == old
    assert (tmp_path / "teams/b.md").read_text() == "# B, renamed\n"


def test_pages_that_left_the_plan_are_removed(tmp_path: Path) -> None:
    sync_pages(tmp_path, {"index.md": "x\n", "teams/gone.md": "y\n"})
    sync_pages(tmp_path, {"index.md": "x\n"})
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["index.md"]


def test_replace_dir_swaps_the_whole_folder(tmp_path: Path) -> None:
    site, new = tmp_path / "site", tmp_path / "new"
    site.mkdir()
    (site / "old.html").write_text("old")
    new.mkdir()
    (new / "index.html").write_text("new")
    replace_dir(new, site)
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_the_file_writer_writes_changed_files_and_removes_unwanted_ones(tmp_path: Path) -> None:
    first = {"goals/a/index.html": b"<p>a</p>", "goals/b/index.html": b"<p>b</p>", "people/c/index.html": b"c"}
    FileWriter(tmp_path, first).wait()
    assert {str(p.relative_to(tmp_path)): p.read_bytes() for p in tmp_path.rglob("*.html")} == first
    kept = (tmp_path / "goals/a/index.html").stat().st_mtime_ns
    os.utime(tmp_path / "goals/a/index.html", ns=(kept - 10**9, kept - 10**9))

    second = {"goals/a/index.html": b"<p>a</p>", "goals/b/index.html": b"<p>B</p>"}
    FileWriter(tmp_path, second, previous=first).wait()
    assert {str(p.relative_to(tmp_path)): p.read_bytes() for p in tmp_path.rglob("*.html")} == second
    assert (tmp_path / "goals/a/index.html").stat().st_mtime_ns == kept - 10**9  # unchanged: not rewritten


def test_the_file_writer_refuses_paths_outside_its_folder_and_reports_what_stopped_it(tmp_path: Path) -> None:
    for bad in ("../escape.html", "/etc/passwd", ""):
        with pytest.raises(ValueError):
            FileWriter(tmp_path, {bad: b"x"})
    (tmp_path / "goals").write_text("a file where a folder must go")
    writer = FileWriter(tmp_path, {"goals/a/index.html": b"x"})
    with pytest.raises(OSError):
        writer.wait()
