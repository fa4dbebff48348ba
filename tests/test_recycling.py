"""The previous site's address folders (the spare) are reused, and end up holding exactly what a fresh build writes."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import recycling
from generator.writing import write_files


def tree(folder: Path) -> dict[str, object]:
    """Every folder, file and link under `folder`: what a reader of the site could tell apart."""
    found: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[rel] = ("link", os.readlink(path))
        elif path.is_dir():
            found[rel] = "folder"
        else:
            found[rel] = path.read_bytes()
    return found


def differences(one: dict[str, object], other: dict[str, object]) -> list[str]:
    return sorted(path for path in one.keys() | other.keys() if one.get(path) != other.get(path))


def test_of_two_builds_taking_one_spare_one_gets_each_folder(tmp_path: Path) -> None:
    spare = tmp_path / ".site.spare"
    (spare / "goals" / "a").mkdir(parents=True)
    (spare / "people" / "b").mkdir(parents=True)
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    first = recycling.take(spare, one, [])
    assert first is not None and first.folders == ("goals", "people")
    assert recycling.take(spare, two, []) is None
    assert not spare.exists() and list(two.iterdir()) == []
    first.close()


def test_keeping_a_spare_when_one_is_there_deletes_the_old_site(tmp_path: Path) -> None:
    old, spare = tmp_path / ".site.old", tmp_path / ".site.spare"
    (old / "goals" / "new").mkdir(parents=True)
    (old / "people" / "p").mkdir(parents=True)
    (old / "teams" / "t").mkdir(parents=True)
    (spare / "goals" / "earlier").mkdir(parents=True)
    recycling.keep(old, spare)
    assert not old.exists()
    assert sorted(p.relative_to(spare).as_posix() for p in spare.rglob("*")) == [
        "goals", "goals/earlier", "people", "people/p"]


@contextlib.contextmanager
def unchangeable(folder: Path) -> Iterator[None]:
    """`folder` made a folder nothing in can be deleted: read-only for a user, immutable (chattr) for root,
    whom permissions do not stop."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)]).returncode != 0:
            pytest.skip("no chattr, or its file system has no immutable flag")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_a_folder_that_cannot_be_updated_goes_back_to_the_spare_and_is_written_fresh(tmp_path: Path) -> None:
    """Something in the spare this user cannot delete (left by a build run as another user, say): the whole
    folder goes back to the spare, and the build writes it from nothing."""
    spare, site = tmp_path / ".site.spare", tmp_path / "site"
    locked = spare / "goals" / "locked"
    locked.mkdir(parents=True)
    (locked / "index.html").write_text("stale")
    (spare / "goals" / "a").mkdir()
    (spare / "goals" / "a" / "index.html").write_text("A")
    site.mkdir()
    with unchangeable(locked):
        recycled = recycling.take(spare, site, [])
        assert recycled is not None and recycled.folders == ("goals",)
        write_files(site, {"goals/a/index.html": b"A", "goals/b/index.html": b"B"}, recycled=recycled)
        recycled.wait()
        recycled.close()
        assert tree(site) == {"goals": "folder", "goals/a": "folder", "goals/a/index.html": b"A",
                              "goals/b": "folder", "goals/b/index.html": b"B"}
        assert (locked / "index.html").read_text() == "stale"


NAMES = st.sampled_from(["a", "b", "c", "index.html"])
PATHS = st.lists(NAMES, min_size=1, max_size=3).map(lambda parts: "goals/" + "/".join(parts))
ENTRIES = st.dictionaries(PATHS, st.one_of(st.binary(max_size=8), st.just("folder"), st.just("link")), max_size=10)
FILES = st.dictionaries(PATHS, st.binary(max_size=8), max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spare_entries=ENTRIES, files=FILES, pages=st.lists(PATHS, max_size=2))
def test_whatever_the_spare_holds_the_folders_end_up_holding_exactly_the_build_s_files(
        spare_entries: dict[str, object], files: dict[str, bytes], pages: list[str]) -> None:
    prefixes = {path.rsplit("/", depth)[0] for path in [*files, *pages] for depth in range(1, path.count("/"))}
    files = {path: data for path, data in files.items() if path not in prefixes}  # no file where a folder must be
    pages = [page for page in pages if page not in files and page not in prefixes and
             not any(other.startswith(page + "/") for other in [*files, *pages])]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        spare, site = root / ".site.spare", root / "site"
        (spare / "goals").mkdir(parents=True)
        site.mkdir()
        for path, content in sorted(spare_entries.items()):
            target = spare / path
            if not target.parent.is_dir() or target.exists() or target.is_symlink():
                continue  # a file or link took the place of its folder
            if content == "folder":
                target.mkdir()
            elif content == "link":
                target.symlink_to(root)
            else:
                target.write_bytes(content)
        recycled = recycling.take(spare, site, pages)
        assert recycled is not None
        write_files(site, files, recycled=recycled)
        recycled.wait()
        recycled.close()
        for page in pages:  # as MkDocs writes its pages, once the folders are ready
            (site / page).parent.mkdir(parents=True, exist_ok=True)
            (site / page).write_bytes(b"page")
        expected: dict[str, object] = {**files, **dict.fromkeys(pages, b"page")}
        for path in [*files, *pages]:
            parts = path.split("/")
            expected.update(("/".join(parts[:depth]), "folder") for depth in range(1, len(parts)))
        assert tree(site) == expected
