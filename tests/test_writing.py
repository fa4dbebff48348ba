"""Generated pages are rewritten only when they change; the site's many small files are written beside the build."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sales_handbook.speed.writing import FileWriter, sync_pages, write_afterwards, write_files
from tests.fresh import run_python


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


def test_the_serve_writer_writes_changed_files_and_removes_unwanted_ones(tmp_path: Path) -> None:
    """`handbook serve` writes the site's other files after each rebuild, only those that changed."""
    first = {"goals/a/index.html": b"<p>a</p>", "goals/b/index.html": b"<p>b</p>", "people/c/index.html": b"c"}
    assert write_afterwards(tmp_path, lambda: first, {}).wait() == first
    assert {str(p.relative_to(tmp_path)): p.read_bytes() for p in tmp_path.rglob("*.html")} == first
    kept = (tmp_path / "goals/a/index.html").stat().st_mtime_ns
    os.utime(tmp_path / "goals/a/index.html", ns=(kept - 10**9, kept - 10**9))

    second = {"goals/a/index.html": b"<p>a</p>", "goals/b/index.html": b"<p>B</p>"}
    assert write_afterwards(tmp_path, lambda: second, first).wait() == second
    assert {str(p.relative_to(tmp_path)): p.read_bytes() for p in tmp_path.rglob("*.html")} == second
    assert (tmp_path / "goals/a/index.html").stat().st_mtime_ns == kept - 10**9  # unchanged: not rewritten
    with pytest.raises(ValueError):
        write_afterwards(tmp_path, lambda: {"../escape.html": b"x"}, second).wait()
    assert not (tmp_path.parent / "escape.html").exists()


def test_the_file_writer_refuses_paths_outside_its_folder_and_reports_what_stopped_it(tmp_path: Path) -> None:
    for bad in ("../escape.html", "/etc/passwd", ""):
        with pytest.raises(ValueError):
            FileWriter(tmp_path, {bad: b"x"})
    (tmp_path / "goals").write_text("a file where a folder must go")
    writer = FileWriter(tmp_path, {"goals/a/index.html": b"x"})
    with pytest.raises(OSError):
        writer.wait()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="a forked writer needs two cores")
def test_a_forked_writer_writes_thousands_of_files_and_reports_what_stopped_it(tmp_path: Path) -> None:
    """`handbook build` has no other thread, so its 30,000 redirects are written by a forked process."""
    printed = run_python(f"""
        from pathlib import Path
        from sales_handbook.speed import forked, writing

        folder = Path({str(tmp_path)!r})
        files = {{f"goals/g{{i}}/index.html": f"<p>{{i}}</p>".encode() for i in range(1500)}}
        assert forked.processes_for(len(files), writing._FORK_FROM) > 1
        writer = writing.FileWriter(folder / "site", files)
        assert writer._worker is not None
        writer.wait()
        print(sum(1 for _ in (folder / "site").rglob("index.html")))
        (folder / "blocked").write_text("a file where a folder must go")
        writer = writing.FileWriter(folder / "blocked", files)
        try:
            writer.wait()
        except OSError as error:
            print(type(error).__name__)
    """)
    assert printed.split() == ["1500", "NotADirectoryError"]
    assert (tmp_path / "site/goals/g1499/index.html").read_text() == "<p>1499</p>"


def test_write_files_refuses_a_path_outside_its_folder_before_writing_anything(tmp_path: Path) -> None:
    """The worker beside MkDocs writes with `write_files`: it checks the paths as the FileWriter does."""
    with pytest.raises(ValueError):
        write_files(tmp_path / "site", {"goals/a/index.html": b"a", "../escape.html": b"x"})
    assert not (tmp_path / "site").exists() and not (tmp_path / "escape.html").exists()
    write_files(tmp_path / "site", {"goals/a/index.html": b"a"})
    assert (tmp_path / "site/goals/a/index.html").read_bytes() == b"a"
